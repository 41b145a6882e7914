// The header form:
//   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/ecr/aws4_request,
//                  SignedHeaders=content-type;host;x-amz-date, Signature=<64 hex>
// Components are separated by commas and/or whitespace, each exactly once.

import { echo, failed, parsed } from './errors.ts';
import type { Parsed } from './errors.ts';
import { parseCredential } from './credential.ts';
import type { Credential } from './credential.ts';
import { parseSignedHeaders } from './signed-headers.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export const AUTHORIZATION_LIMITS = {
  maxLength: 4096,
  maxSignature: 128,
} as const;

export interface SigV4Authorization {
  readonly credential: Credential;
  readonly signedHeaders: readonly string[];
  /** As sent; compared with the computed one, never trusted for anything else. */
  readonly signature: string;
}

const COMPONENTS = ['Credential', 'Signature', 'SignedHeaders'] as const;
type Component = (typeof COMPONENTS)[number];

function isComponent(key: string): key is Component {
  return (COMPONENTS as readonly string[]).includes(key);
}

/** True when the header claims SigV4 at all; other schemes count as no authentication. */
export function looksLikeSigV4(header: string): boolean {
  return header.startsWith('AWS4-');
}

/**
 * Parses an Authorization header that `looksLikeSigV4`. `hasDate` says whether the request
 * carries X-Amz-Date or Date, which AWS reports together with missing components.
 */
export function parseAuthorization(header: string, hasDate: boolean): Parsed<SigV4Authorization> {
  if (header.length > AUTHORIZATION_LIMITS.maxLength) {
    return failed('incomplete', `Authorization header is longer than ${AUTHORIZATION_LIMITS.maxLength} characters.`);
  }
  const space = header.search(/\s/);
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) return failed('incomplete', `Unsupported AWS 'algorithm': '${echo(algorithm, 64)}'`);
  const rest = space < 0 ? '' : header.slice(space);

  const found = new Map<Component, string>();
  for (const part of rest.split(/[\s,]+/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      return failed('incomplete', `'${echo(part, 128)}' not a valid key=value pair (missing equal-sign) in Authorization header: '${echo(header)}'.`);
    }
    const key = part.slice(0, eq);
    if (!isComponent(key)) return failed('incomplete', `'${echo(key, 64)}' is not a valid Authorization header component: '${echo(header)}'.`);
    if (found.has(key)) return failed('incomplete', `'${key}' appears more than once in Authorization header: '${echo(header)}'.`);
    found.set(key, part.slice(eq + 1));
  }

  const missing: string[] = [];
  for (const key of COMPONENTS) {
    if (!found.get(key)) missing.push(`Authorization header requires '${key}' parameter.`);
  }
  if (!hasDate) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) return failed('incomplete', `${missing.join(' ')} Authorization=${echo(header)}`);

  const credential = parseCredential(found.get('Credential') as string);
  if (!credential.ok) return credential;
  const signedHeaders = parseSignedHeaders(found.get('SignedHeaders') as string);
  if (!signedHeaders.ok) return signedHeaders;
  const signature = found.get('Signature') as string;
  if (signature.length > AUTHORIZATION_LIMITS.maxSignature) return failed('incomplete', 'Signature is too long.');
  return parsed({ credential: credential.value, signedHeaders: signedHeaders.value, signature });
}
