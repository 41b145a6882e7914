// Content negotiation for manifest GET/HEAD. A stored manifest is served as
// pushed; when the client's Accept header names manifest types and none of them
// (nor a wildcard) covers the stored one, the manifest is not acceptable.
import { MANIFEST_MEDIA_TYPES } from '../../model/media-types.ts';

export function acceptsManifest(acceptHeader: string | string[] | undefined, mediaType: string): boolean {
  if (acceptHeader === undefined) return true;
  const accepted = (Array.isArray(acceptHeader) ? acceptHeader.join(',') : acceptHeader)
    .split(',')
    .map((entry) => entry.split(';')[0]!.trim().toLowerCase())
    .filter((entry) => entry !== '');
  if (accepted.length === 0) return true;
  if (accepted.includes(mediaType) || accepted.includes('*/*') || accepted.includes('application/*')) return true;
  // Accept lists with no manifest type at all (e.g. just application/json) predate negotiation: serve anyway.
  return !accepted.some((entry) => MANIFEST_MEDIA_TYPES.includes(entry));
}
