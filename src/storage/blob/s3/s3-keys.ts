// Where the S3 driver keeps things in its bucket (docs/storage-layout.md), under the
// configured prefix:
//   blobs/<algorithm>/<first two hex>/<hex>        a blob; written only by commit
//   uploads/<upload id>/session                    marks that the upload exists
//   uploads/<upload id>/data/<start, 16 digits>    a segment: the staged bytes from that offset
// Segment keys carry their offset zero-padded, so a listing returns them in byte order
// and tells the whole layout of an upload without reading anything.
import { isDigest, parseDigest, type Digest } from '../../../model/digest.ts';

const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;
const OFFSET_DIGITS = 16;
const SESSION = 'session';
const DATA = 'data/';

export type UploadObject =
  | { readonly id: string; readonly kind: 'session' }
  | { readonly id: string; readonly kind: 'segment'; readonly start: number }
  | { readonly id: string; readonly kind: 'other' };

export class S3Keys {
  readonly prefix: string;

  /** `prefix` is used as given: "registry/" puts everything under registry/. */
  constructor(prefix: string) {
    this.prefix = prefix;
  }

  static isUploadId(id: string): boolean {
    return UPLOAD_ID.test(id);
  }

  get blobs(): string {
    return `${this.prefix}blobs/`;
  }

  get uploads(): string {
    return `${this.prefix}uploads/`;
  }

  blob(digest: Digest): string {
    return `${this.blobs}${digest.algorithm}/${digest.hex.slice(0, 2)}/${digest.hex}`;
  }

  /** The digest a blob key names, or undefined for a key that is not a blob's. */
  digestOf(key: string): Digest | undefined {
    if (!key.startsWith(this.blobs)) return undefined;
    const [algorithm, fanOut, hex, ...rest] = key.slice(this.blobs.length).split('/');
    if (!algorithm || !fanOut || !hex || rest.length > 0 || hex.slice(0, 2) !== fanOut) return undefined;
    const digest = parseDigest(`${algorithm}:${hex}`);
    return isDigest(digest) ? digest : undefined;
  }

  upload(id: string): string {
    return `${this.uploads}${id}/`;
  }

  session(id: string): string {
    return `${this.upload(id)}${SESSION}`;
  }

  segments(id: string): string {
    return `${this.upload(id)}${DATA}`;
  }

  segment(id: string, start: number): string {
    return `${this.segments(id)}${String(start).padStart(OFFSET_DIGITS, '0')}`;
  }

  /** What a key under uploads/ is, or undefined for keys outside it. */
  uploadObject(key: string): UploadObject | undefined {
    if (!key.startsWith(this.uploads)) return undefined;
    const rest = key.slice(this.uploads.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const id = rest.slice(0, slash);
    const name = rest.slice(slash + 1);
    if (name === SESSION) return { id, kind: 'session' };
    if (name.startsWith(DATA)) {
      const digits = name.slice(DATA.length);
      if (digits.length === OFFSET_DIGITS && /^\d+$/.test(digits)) return { id, kind: 'segment', start: Number(digits) };
    }
    return { id, kind: 'other' };
  }
}
