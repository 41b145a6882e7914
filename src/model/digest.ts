// Content digests as the OCI image spec defines them: `<algorithm>:<encoded>`.
// Only algorithms we can verify are accepted, and the encoded part is checked
// strictly before a digest is ever used to build a storage key or a path.

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface Digest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  /** The canonical string form, `sha256:abc…`. */
  readonly value: string;
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_GRAMMAR = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

export type DigestProblem = 'malformed' | 'unsupported-algorithm';

/** Parses a digest string; returns a problem instead of throwing so callers pick the error. */
export function parseDigest(text: string): Digest | DigestProblem {
  const match = DIGEST_GRAMMAR.exec(text);
  if (!match) return 'malformed';
  const algorithm = match[1]!;
  const encoded = match[2]!;
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return 'unsupported-algorithm';
  if (encoded.length !== HEX_LENGTH[algorithm] || !/^[a-f0-9]+$/.test(encoded)) return 'malformed';
  return { algorithm, hex: encoded, value: text };
}

export function isDigest(value: Digest | DigestProblem): value is Digest {
  return typeof value !== 'string';
}

/** True when the text looks like a digest (has an algorithm prefix), valid or not. */
export function looksLikeDigest(text: string): boolean {
  return text.includes(':');
}
