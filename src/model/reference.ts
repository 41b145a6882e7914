// A manifest reference is either a tag or a digest.
import { parseDigest, isDigest, type Digest } from './digest.ts';

const TAG_GRAMMAR = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function isValidTag(tag: string): boolean {
  return TAG_GRAMMAR.test(tag);
}

export type Reference = { readonly kind: 'tag'; readonly tag: string } | { readonly kind: 'digest'; readonly digest: Digest };

/** Parses a manifest reference; undefined when it is neither a valid tag nor a valid digest. */
export function parseReference(text: string): Reference | undefined {
  if (text.includes(':')) {
    const digest = parseDigest(text);
    return isDigest(digest) ? { kind: 'digest', digest } : undefined;
  }
  return isValidTag(text) ? { kind: 'tag', tag: text } : undefined;
}
