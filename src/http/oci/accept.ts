// Content negotiation for manifest GET/HEAD. A stored manifest is served as
// pushed; when the client's Accept header names manifest types and none of them
// (nor a wildcard) covers the stored one, the manifest is not acceptable.
import { MANIFEST_MEDIA_TYPES } from '../../model/media-types.ts';

interface AcceptEntry {
  readonly type: string;
  readonly refused: boolean;
}

function parseAccept(header: string | string[]): AcceptEntry[] {
  return (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((entry) => {
      const [type, ...parameters] = entry.split(';');
      // q=0 means "not acceptable" (RFC 9110 §12.4.2).
      const refused = parameters.some((parameter) => /^\s*q\s*=\s*0(?:\.0{0,3})?\s*$/i.test(parameter));
      return { type: type!.trim().toLowerCase(), refused };
    })
    .filter((entry) => entry.type !== '');
}

export function acceptsManifest(acceptHeader: string | string[] | undefined, mediaType: string): boolean {
  if (acceptHeader === undefined) return true;
  const entries = parseAccept(acceptHeader);
  if (entries.length === 0) return true;
  const exact = entries.find((entry) => entry.type === mediaType);
  if (exact) return !exact.refused;
  if (entries.some((entry) => !entry.refused && (entry.type === '*/*' || entry.type === 'application/*'))) return true;
  // Accept lists with no manifest type at all (e.g. just application/json) predate negotiation: serve anyway.
  return !entries.some((entry) => MANIFEST_MEDIA_TYPES.includes(entry.type));
}
