// S3 BlobStore (AWS S3, Ceph RGW, MinIO, …). Layout and upload design are in
// docs/storage-layout.md; in short:
//   - a blob is one object, blobs/<algorithm>/<2 hex>/<hex>, made by commit only;
//   - an upload is a session object plus segment objects keyed by their offset. Every
//     segment but the last has its full target size (part-size.ts), so commit is a
//     server-side copy of the segments into the blob's multipart upload;
//   - nothing about an upload lives in a node's memory between requests: the listing
//     of its segments is its whole state, so any node continues any session.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Digest } from '../../../model/digest.ts';
import {
  BlobNotFoundError,
  BlobStoreUnavailableError,
  InvalidOffsetError,
  UploadNotFoundError,
  type AppendOptions,
  type BlobStat,
  type BlobStore,
  type BlobStoreCapabilities,
  type ByteRange,
  type OperationOptions,
  type StagedUpload,
  type StoredBlob,
} from '../blob-store.ts';
import { assembleBlob } from './assemble-blob.ts';
import { readSequence } from './object-sequence.ts';
import { PartBuffers } from './part-buffers.ts';
import { PART_BUFFER_BYTES, segmentSize } from './part-size.ts';
import { S3Keys } from './s3-keys.ts';
import { ObjectNotFound, S3Objects } from './s3-objects.ts';
import { SegmentWriter } from './segment-writer.ts';
import { planAppend, planCommit, stagingOf, type Segment, type Staging } from './staging-plan.ts';

const DRIVER = 's3';

export interface S3BlobStoreOptions {
  /** The store owns the client and destroys it on close(). */
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix for everything the store writes ("" or ending in "/"). */
  readonly prefix?: string;
  /** Answer blob GETs with a redirect to a presigned URL (default true). */
  readonly redirect?: boolean;
}

export class S3BlobStore implements BlobStore {
  readonly name = DRIVER;
  readonly capabilities: BlobStoreCapabilities;
  readonly #client: S3Client;
  readonly #objects: S3Objects;
  readonly #keys: S3Keys;
  readonly #buffers = new PartBuffers(PART_BUFFER_BYTES);

  constructor(options: S3BlobStoreOptions) {
    this.#client = options.client;
    this.#objects = new S3Objects(options.client, options.bucket);
    this.#keys = new S3Keys(normalizePrefix(options.prefix ?? ''));
    this.capabilities = { redirect: options.redirect ?? true };
  }

  /** Opens the store after checking that the bucket is there and usable, so a wrong setting fails at start-up. */
  static async open(options: S3BlobStoreOptions): Promise<S3BlobStore> {
    const store = new S3BlobStore(options);
    try {
      await store.#objects.checkBucket();
    } catch (error) {
      await store.close();
      throw new BlobStoreUnavailableError(DRIVER, `cannot use bucket "${options.bucket}": ${describe(error)}`, { cause: error });
    }
    return store;
  }

  async stat(digest: Digest): Promise<BlobStat | undefined> {
    return this.#objects.head(this.#keys.blob(digest));
  }

  async read(digest: Digest, range?: ByteRange): Promise<Readable> {
    try {
      return await this.#objects.get(this.#keys.blob(digest), range);
    } catch (error) {
      if (error instanceof ObjectNotFound) throw new BlobNotFoundError(DRIVER, digest.value);
      throw error;
    }
  }

  presignedUrl(digest: Digest, ttlSeconds: number): Promise<string> {
    return this.#objects.presignGet(this.#keys.blob(digest), ttlSeconds);
  }

  async delete(digest: Digest): Promise<boolean> {
    // S3's DELETE succeeds either way, so whether the blob was there is asked first.
    const key = this.#keys.blob(digest);
    if ((await this.#objects.head(key)) === undefined) return false;
    await this.#objects.delete(key);
    return true;
  }

  async *list(options: OperationOptions = {}): AsyncIterable<StoredBlob> {
    for await (const object of this.#objects.list(this.#keys.blobs, options)) {
      options.signal?.throwIfAborted();
      const digest = this.#keys.digestOf(object.key);
      if (digest) yield { digest: digest.value, size: object.size, modifiedAt: object.modifiedAt };
    }
  }

  async createUpload(id: string): Promise<void> {
    this.#checkId(id);
    const session = { version: 1, createdAt: new Date().toISOString() };
    await this.#objects.put(this.#keys.session(id), Buffer.from(`${JSON.stringify(session)}\n`));
  }

  async appendUpload(id: string, offset: number, source: Readable, options: AppendOptions = {}): Promise<number> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidOffsetError(DRIVER, id, offset, 0);
    options.signal?.throwIfAborted();
    const staging = await this.#staging(id, options.signal);
    if (offset > staging.size) throw new InvalidOffsetError(DRIVER, id, offset, staging.size);
    const declaredTotal = options.declaredLength === undefined ? undefined : offset + options.declaredLength;
    const targetSize = (index: number) => segmentSize(index, declaredTotal);
    const plan = planAppend(staging, offset, targetSize);
    await this.#objects.deleteAll(plan.remove.map((segment) => segment.key));
    const writer = new SegmentWriter({
      objects: this.#objects,
      buffers: this.#buffers,
      keyAt: (start) => this.#keys.segment(id, start),
      targetSize,
      start: plan.reopen?.segment.start ?? plan.start,
      index: plan.reopen?.index ?? plan.index,
      prefix: plan.reopen ? { length: plan.reopen.keep, rewrite: plan.reopen.cut } : undefined,
    });
    await pipeline(source, writer, options.signal ? { signal: options.signal } : {});
    return writer.bytesWritten;
  }

  async readUpload(id: string, length: number): Promise<Readable> {
    const staging = await this.#staging(id);
    const slices = staging.segments
      .filter((segment) => segment.start < length)
      .map((segment) => ({ key: segment.key, size: Math.min(segment.size, length - segment.start) }));
    return readSequence(this.#objects, slices);
  }

  async commitUpload(id: string, length: number, digest: Digest): Promise<void> {
    const staging = await this.#staging(id);
    if (length > staging.size) throw new InvalidOffsetError(DRIVER, id, length, staging.size);
    const key = this.#keys.blob(digest);
    // An existing blob has these very bytes: leave it (and its readers) alone.
    if ((await this.#objects.head(key)) === undefined) await assembleBlob(this.#objects, key, planCommit(staging, length));
    await this.deleteUpload(id);
  }

  async deleteUpload(id: string): Promise<void> {
    this.#checkId(id);
    const keys: string[] = [];
    for await (const object of this.#objects.list(this.#keys.upload(id))) keys.push(object.key);
    // The session object goes last, so an interrupted delete still lists as an upload and the purge finishes it.
    const session = this.#keys.session(id);
    await this.#objects.deleteAll(keys.filter((key) => key !== session));
    if (keys.includes(session)) await this.#objects.delete(session);
  }

  async *listUploads(options: OperationOptions = {}): AsyncIterable<StagedUpload> {
    let current: { id: string; segments: Segment[]; modifiedAt: Date } | undefined;
    const finished = (upload: { id: string; segments: Segment[]; modifiedAt: Date }): StagedUpload => ({
      id: upload.id,
      size: stagingOf(upload.segments).size,
      modifiedAt: upload.modifiedAt,
    });
    // Keys of one upload are adjacent in the listing (they share "uploads/<id>/").
    for await (const object of this.#objects.list(this.#keys.uploads, options)) {
      options.signal?.throwIfAborted();
      const found = this.#keys.uploadObject(object.key);
      if (!found) continue;
      if (current && current.id !== found.id) {
        yield finished(current);
        current = undefined;
      }
      current ??= { id: found.id, segments: [], modifiedAt: object.modifiedAt };
      if (object.modifiedAt > current.modifiedAt) current.modifiedAt = object.modifiedAt;
      if (found.kind === 'segment') current.segments.push({ key: object.key, start: found.start, size: object.size, modifiedAt: object.modifiedAt });
    }
    if (current) yield finished(current);
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  /** The upload's segments as listed now; UploadNotFoundError when it has no session object. */
  async #staging(id: string, signal?: AbortSignal): Promise<Staging> {
    this.#checkId(id);
    let session = false;
    const segments: Segment[] = [];
    for await (const object of this.#objects.list(this.#keys.upload(id), { signal })) {
      const found = this.#keys.uploadObject(object.key);
      if (found?.kind === 'session') session = true;
      else if (found?.kind === 'segment') segments.push({ key: object.key, start: found.start, size: object.size, modifiedAt: object.modifiedAt });
    }
    if (!session) throw new UploadNotFoundError(DRIVER, id);
    return stagingOf(segments);
  }

  #checkId(id: string): void {
    if (!S3Keys.isUploadId(id)) throw new UploadNotFoundError(DRIVER, id);
  }
}

function normalizePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Why a bucket cannot be used, in the words its HEAD answer allows (it has no body). */
function describe(error: unknown): string {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 404) return 'it does not exist';
  if (status === 403) return 'access denied (check the credentials and the bucket policy)';
  if (status === 301) return 'it is in another region (set storage.s3.region)';
  const name = (error as Error).name;
  const message = (error as Error).message;
  if (/region is missing/i.test(message)) return 'no region is configured (set storage.s3.region or AWS_REGION)';
  return [name && name !== 'Error' ? name : undefined, status ? `HTTP ${status}` : undefined, message && message !== name ? message : undefined]
    .filter(Boolean)
    .join(': ');
}
