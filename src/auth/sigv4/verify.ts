// verifySigV4: authenticates a control-plane request signed with AWS Signature Version 4,
// in the Authorization header or in the query string (presigned). Secrets are only handed
// to the signer; nothing here logs, and no result carries a secret or a derived key.

import { MESSAGES, mustBeSigned, sigv4Error } from './errors.ts';
import type { Parsed, SigV4FailureKind } from './errors.ts';
import { checkScope } from './credential.ts';
import { formatAmzDate, parseAmzDate, parseHttpDate } from './amz-date.ts';
import { parseQuery } from './query-string.ts';
import type { ParsedQuery } from './query-string.ts';
import { looksLikeSigV4, parseAuthorization } from './parse-authorization.ts';
import type { SigV4Authorization } from './parse-authorization.ts';
import { ALGORITHM_PARAM, parsePresigned } from './parse-presigned.ts';
import { headerValue } from './signed-headers.ts';
import { computeSignature, signaturesEqual } from './signer.ts';
import { DEFAULT_MAX_SKEW_MS } from './types.ts';
import type { SecretLookup, SigV4Request, SigV4Result, VerifyOptions } from './types.ts';

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The authentication material, whichever form carried it. */
interface Material extends SigV4Authorization {
  readonly presigned: boolean;
  readonly longDate: string;
  readonly signedAtMs: number;
  readonly expiresSeconds?: number;
}

export async function verifySigV4<P>(request: SigV4Request, lookupSecret: SecretLookup<P>, options: VerifyOptions): Promise<SigV4Result<P>> {
  if (!SHA256_HEX.test(request.bodySha256Hex)) throw new TypeError('bodySha256Hex must be 64 lowercase hex characters');
  const protocol = options.protocol ?? 'json';
  const fail = (kind: SigV4FailureKind, message: string): SigV4Result<P> => ({ ok: false, error: sigv4Error(kind, message, protocol) });

  const query = parseQuery(request.query);
  if (!query.ok) return fail(query.kind, query.message);
  const material = readMaterial(request, query.value);
  if (!material.ok) return fail(material.kind, material.message);
  const { credential, signedHeaders, signature, presigned, longDate, signedAtMs } = material.value;

  if (headerValue(request.headers, 'x-amz-security-token') !== undefined || queryValues(query.value, 'x-amz-security-token').length > 0) {
    return fail('unrecognized', MESSAGES.invalidToken);
  }
  const scopeProblem = checkScope(credential, longDate, options.scopes, options.expectedService);
  if (scopeProblem !== undefined) return fail('signature', scopeProblem);

  if (!signedHeaders.includes('host')) return fail('incomplete', MESSAGES.hostNotSigned);
  for (const name of options.mustSign ?? []) {
    const lower = name.toLowerCase();
    if (headerValue(request.headers, lower) !== undefined && !signedHeaders.includes(lower)) return fail('incomplete', mustBeSigned(name));
  }
  const entries: [string, string][] = [];
  for (const name of signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) return fail('incomplete', `'${name}' is named as a SignedHeader, but it does not exist in the HTTP request.`);
    entries.push([name, value]);
  }
  // fromEntries defines own properties, so even a header named __proto__ stays a header.
  const signed = Object.fromEntries(entries);

  const now = (options.now ?? Date.now)();
  const skew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const minutes = `${Math.round(skew / 60000)} min.`;
  if (signedAtMs > now + skew) {
    return fail('signature', `Signature not yet current: ${longDate} is still later than ${formatAmzDate(now + skew)} (${formatAmzDate(now)} + ${minutes})`);
  }
  if (material.value.expiresSeconds !== undefined) {
    if (now > signedAtMs + material.value.expiresSeconds * 1000) return fail('expired', MESSAGES.requestExpired);
  } else if (signedAtMs < now - skew) {
    return fail('signature', `Signature expired: ${longDate} is now earlier than ${formatAmzDate(now - skew)} (${formatAmzDate(now)} - ${minutes})`);
  }

  const payloadHashes = payloadCandidates(request, query.value, presigned);
  if (payloadHashes === undefined) return fail('signature', MESSAGES.contentSha256Mismatch);

  const secret = await lookupSecret(credential.accessKeyId);
  if (secret === undefined) return fail('unrecognized', MESSAGES.invalidToken);

  for (const payloadHash of payloadHashes) {
    const computed = await computeSignature(
      { method: request.method, path: request.path, query: query.value.bag, headers: signed, payloadHash, longDate, signedAtMs, credential },
      secret.secretAccessKey,
    );
    if (signaturesEqual(signature, computed)) {
      return {
        ok: true,
        principal: secret.principal,
        accessKeyId: credential.accessKeyId,
        service: credential.service,
        region: credential.region,
        presigned,
      };
    }
  }
  return fail('signature', MESSAGES.mismatch);
}

function readMaterial(request: SigV4Request, query: ParsedQuery): Parsed<Material> {
  const rawAuthorization = request.headers['authorization'];
  if (Array.isArray(rawAuthorization) && rawAuthorization.length > 1) {
    return { ok: false, kind: 'incomplete', message: 'The request carries more than one Authorization header.' };
  }
  const authorization = headerValue(request.headers, 'authorization');
  if (query.all.has(ALGORITHM_PARAM)) {
    if (authorization !== undefined) return { ok: false, kind: 'signature', message: MESSAGES.bothForms };
    const presigned = parsePresigned(query.all);
    if (!presigned.ok) return presigned;
    return { ok: true, value: { ...presigned.value, presigned: true, longDate: presigned.value.amzDate } };
  }
  if (authorization === undefined || !looksLikeSigV4(authorization)) return { ok: false, kind: 'missing', message: MESSAGES.missingToken };

  const amzDate = headerValue(request.headers, 'x-amz-date');
  const httpDate = headerValue(request.headers, 'date');
  const parsed = parseAuthorization(authorization, amzDate !== undefined || httpDate !== undefined);
  if (!parsed.ok) return parsed;
  // X-Amz-Date wins over Date, as in every SDK.
  const signedAtMs = amzDate !== undefined ? parseAmzDate(amzDate) : parseHttpDate(httpDate as string);
  if (signedAtMs === undefined) {
    const message =
      amzDate !== undefined
        ? `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`
        : 'The Date header must be an HTTP date such as "Sun, 22 Nov 2026 12:00:00 GMT".';
    return { ok: false, kind: 'incomplete', message };
  }
  return { ok: true, value: { ...parsed.value, presigned: false, longDate: formatAmzDate(signedAtMs), signedAtMs } };
}

/**
 * The payload hashes the signature may have been computed over, or undefined when the
 * request claims a body hash that is not the body's. UNSIGNED-PAYLOAD only for presigned GETs.
 */
function payloadCandidates(request: SigV4Request, query: ParsedQuery, presigned: boolean): readonly string[] | undefined {
  const body = request.bodySha256Hex;
  const unsignedAllowed = presigned && request.method === 'GET';
  const queryClaims = presigned ? queryValues(query, 'x-amz-content-sha256') : [];
  if (queryClaims.length > 1) return undefined;
  const claimed = headerValue(request.headers, 'x-amz-content-sha256') ?? queryClaims[0];
  if (claimed === undefined) return unsignedAllowed ? [body, UNSIGNED_PAYLOAD] : [body];
  if (claimed === body) return [body];
  if (claimed === UNSIGNED_PAYLOAD && unsignedAllowed) return [UNSIGNED_PAYLOAD];
  return undefined;
}

/** Every value of a query parameter whatever the case of its name (SDKs hoist headers as named). */
function queryValues(query: ParsedQuery, lowercaseName: string): readonly string[] {
  const values: string[] = [];
  for (const [key, found] of query.all) {
    if (key.toLowerCase() === lowercaseName) values.push(...found);
  }
  return values;
}
