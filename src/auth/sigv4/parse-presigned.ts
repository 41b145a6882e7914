// The query-string (presigned) form: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature, each exactly once.

import { echo, failed, parsed } from './errors.ts';
import type { Parsed } from './errors.ts';
import { parseCredential } from './credential.ts';
import { parseSignedHeaders } from './signed-headers.ts';
import { parseAmzDate } from './amz-date.ts';
import { ALGORITHM, AUTHORIZATION_LIMITS } from './parse-authorization.ts';
import type { SigV4Authorization } from './parse-authorization.ts';

/** A week, the longest a SigV4 signing key (and so a presigned URL) lives. */
export const MAX_EXPIRES_SECONDS = 604800;

export const ALGORITHM_PARAM = 'X-Amz-Algorithm';

export interface SigV4Presigned extends SigV4Authorization {
  readonly amzDate: string;
  readonly signedAtMs: number;
  readonly expiresSeconds: number;
}

const REQUIRED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date', 'X-Amz-Expires'] as const;
type Param = (typeof REQUIRED)[number];

export function parsePresigned(all: ReadonlyMap<string, readonly string[]>): Parsed<SigV4Presigned> {
  const values = new Map<Param, string>();
  const missing: string[] = [];
  for (const name of REQUIRED) {
    const found = all.get(name);
    if (found !== undefined && found.length > 1) return failed('incomplete', `'${name}' appears more than once in the query string.`);
    const value = found?.[0];
    if (value === undefined || value === '') missing.push(`AWS query-string parameters must include '${name}'.`);
    else values.set(name, value);
  }
  if (missing.length > 0) return failed('incomplete', `${missing.join(' ')} Re-examine the query-string parameters.`);
  const get = (name: Param): string => values.get(name) as string;

  if (get('X-Amz-Algorithm') !== ALGORITHM) return failed('incomplete', `Unsupported AWS 'algorithm': '${echo(get('X-Amz-Algorithm'), 64)}'`);
  const credential = parseCredential(get('X-Amz-Credential'));
  if (!credential.ok) return credential;
  const signedHeaders = parseSignedHeaders(get('X-Amz-SignedHeaders'));
  if (!signedHeaders.ok) return signedHeaders;
  const amzDate = get('X-Amz-Date');
  const signedAtMs = parseAmzDate(amzDate);
  if (signedAtMs === undefined) return failed('incomplete', `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const expires = get('X-Amz-Expires');
  if (!/^[0-9]{1,7}$/.test(expires) || expires.startsWith('0')) {
    return failed('incomplete', `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_EXPIRES_SECONDS}.`);
  }
  const expiresSeconds = Number(expires);
  if (expiresSeconds > MAX_EXPIRES_SECONDS) {
    return failed('incomplete', `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`);
  }
  const signature = get('X-Amz-Signature');
  if (signature.length > AUTHORIZATION_LIMITS.maxSignature) return failed('incomplete', 'Signature is too long.');
  return parsed({ credential: credential.value, signedHeaders: signedHeaders.value, signature, amzDate, signedAtMs, expiresSeconds });
}
