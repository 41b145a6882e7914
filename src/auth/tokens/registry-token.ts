// Registry authorization tokens: the password half of ECR's GetAuthorizationToken answer,
// which `docker login -u AWS` then sends as Basic credentials. A token is
//
//   berth1.<kid>.<base64url(JSON claims)>.<base64url(HMAC-SHA256)>
//
// "berth" + format version, the id of the server key that signed it, the claims, and a MAC
// over everything before the last dot. The MAC key and the key id are derived from the server
// key with HKDF under labels of their own, so the same server key can serve other purposes.
// Verification needs only the keys: no database read. Revocation is the caller's job; the
// claims carry the access key id the token was issued for so the caller can check it.

import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';

export const TOKEN_PREFIX = 'berth';
export const TOKEN_VERSION = 1;
/** Tokens longer than this are refused before any work is done. */
export const MAX_TOKEN_LENGTH = 2048;
export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;
export const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;
/** How far in the future a token's issuedAt may be (clocks of different nodes disagree). */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;
export const MIN_KEY_BYTES = 32;

/** Who a token speaks for. */
export interface TokenSubject {
  readonly accountId: string;
  readonly principalArn: string;
  readonly accessKeyId: string;
}

export interface TokenClaims extends TokenSubject {
  /** Whole seconds: the token stores epoch seconds. */
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface IssuedToken {
  readonly token: string;
  readonly claims: TokenClaims;
}

export interface IssueOptions {
  readonly ttlSeconds?: number;
}

export interface VerifyOptions {
  readonly maxSkewMs?: number;
}

export type TokenFailure = 'malformed' | 'bad-signature' | 'expired' | 'not-yet-valid' | 'unsupported-version';
export type VerifyResult = { readonly ok: true; readonly claims: TokenClaims } | { readonly ok: false; readonly reason: TokenFailure };

const ACCOUNT_ID = /^[0-9]{12}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9_]{16,128}$/;
const ARN = /^arn:[\x21-\x7e]{1,1020}$/;
const VERSION_PART = /^berth([0-9]{1,4})$/;
const KID = /^[A-Za-z0-9_-]{11}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const MAC_BYTES = 32;
const KID_BYTES = 8;
const MAC_INFO = 'berth/registry-token/v1/hmac-sha256';
const KID_INFO = 'berth/registry-token/key-id';
const CLAIM_NAMES = ['acct', 'akid', 'arn', 'exp', 'iat'];

interface DerivedKey {
  readonly kid: string;
  /** A KeyObject: handing createHmac a Buffer makes it build one on every call. */
  readonly macKey: KeyObject;
}

// Deriving costs two HKDF runs — more than verifying a token — so each key's derivation
// is kept for as long as the key object lives (the server key lives as long as the process).
const derived = new WeakMap<Buffer, DerivedKey>();

function derive(key: Buffer): DerivedKey {
  if (!Buffer.isBuffer(key) || key.length < MIN_KEY_BYTES) throw new TypeError(`a token key must be a Buffer of at least ${MIN_KEY_BYTES} bytes`);
  const known = derived.get(key);
  if (known) return known;
  const kid = Buffer.from(hkdfSync('sha256', key, '', KID_INFO, KID_BYTES)).toString('base64url');
  const result = { kid, macKey: createSecretKey(Buffer.from(hkdfSync('sha256', key, '', MAC_INFO, MAC_BYTES))) };
  derived.set(key, result);
  return result;
}

/** The key id tokens signed with this key carry (not secret; derived one-way from the key). */
export function keyIdOf(key: Buffer): string {
  return derive(key).kid;
}

function mac(macKey: KeyObject, signingInput: string): Buffer {
  return createHmac('sha256', macKey).update(signingInput, 'latin1').digest();
}

function checkSubject(subject: TokenSubject): void {
  if (typeof subject.accountId !== 'string' || !ACCOUNT_ID.test(subject.accountId)) throw new TypeError('accountId must be 12 digits');
  if (typeof subject.principalArn !== 'string' || !ARN.test(subject.principalArn)) throw new TypeError('principalArn must be an ARN of printable ASCII, at most 1024 characters');
  if (typeof subject.accessKeyId !== 'string' || !ACCESS_KEY_ID.test(subject.accessKeyId)) throw new TypeError('accessKeyId must be 16 to 128 letters, digits or underscores');
}

/** Signs a token for `subject` with the current server key. `now` is epoch milliseconds. */
export function issueToken(subject: TokenSubject, key: Buffer, now: number = Date.now(), options: IssueOptions = {}): IssuedToken {
  checkSubject(subject);
  const ttl = options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) throw new RangeError(`ttlSeconds must be a whole number from 1 to ${MAX_TOKEN_TTL_SECONDS}`);
  if (!Number.isFinite(now) || now < 0) throw new RangeError('now must be epoch milliseconds');
  const iat = Math.floor(now / 1000);
  const exp = iat + ttl;
  const { kid, macKey } = derive(key);
  const body = { acct: subject.accountId, arn: subject.principalArn, akid: subject.accessKeyId, iat, exp };
  const signingInput = `${TOKEN_PREFIX}${TOKEN_VERSION}.${kid}.${Buffer.from(JSON.stringify(body), 'utf8').toString('base64url')}`;
  const token = `${signingInput}.${mac(macKey, signingInput).toString('base64url')}`;
  const claims: TokenClaims = { ...subject, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
  return { token, claims };
}

/** True when the string has the shape of a Berth token (cheap; verifies nothing). */
export function looksLikeRegistryToken(value: string): boolean {
  const dot = value.indexOf('.');
  return dot > 0 && VERSION_PART.test(value.slice(0, dot));
}

/** Strict base64url: the alphabet only, no padding, and canonical (re-encodes to itself). */
function decodeBase64url(text: string): Buffer | undefined {
  if (!B64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/**
 * Verifies a token against the server keys (current first; older ones while they rotate out).
 * The key id in the token picks the key; a token whose key is no longer listed fails with
 * 'bad-signature'. `now` is epoch milliseconds.
 */
export function verifyToken(token: string, keys: Buffer | readonly Buffer[], now: number = Date.now(), options: VerifyOptions = {}): VerifyResult {
  const fail = (reason: TokenFailure): VerifyResult => ({ ok: false, reason });
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return fail('malformed');
  const parts = token.split('.');
  if (parts.length !== 4) return fail('malformed');
  const [versionPart, kid, payloadPart, macPart] = parts as [string, string, string, string];
  const version = VERSION_PART.exec(versionPart);
  if (version === null) return fail('malformed');
  if (version[1] !== String(TOKEN_VERSION)) return fail('unsupported-version');
  if (!KID.test(kid)) return fail('malformed');
  const payloadBytes = decodeBase64url(payloadPart);
  const given = decodeBase64url(macPart);
  if (payloadBytes === undefined || given === undefined || given.length !== MAC_BYTES) return fail('malformed');

  const signingInput = `${versionPart}.${kid}.${payloadPart}`;
  let authentic = false;
  for (const key of Buffer.isBuffer(keys) ? [keys] : keys) {
    const derived = derive(key);
    // Several keys could share a kid only by an 8-byte collision; trying each is still correct.
    if (derived.kid !== kid) continue;
    const expected = mac(derived.macKey, signingInput);
    if (expected.length === given.length && timingSafeEqual(expected, given)) {
      authentic = true;
      break;
    }
  }
  if (!authentic) return fail('bad-signature');

  const claims = parseClaims(payloadBytes);
  if (claims === undefined) return fail('malformed');
  const skew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (claims.issuedAt.getTime() > now + skew) return fail('not-yet-valid');
  if (now >= claims.expiresAt.getTime()) return fail('expired');
  return { ok: true, claims };
}

function parseClaims(bytes: Buffer): TokenClaims | undefined {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const names = Object.keys(record).sort();
  if (names.length !== CLAIM_NAMES.length || names.some((name, i) => name !== CLAIM_NAMES[i])) return undefined;
  const { acct, arn, akid, iat, exp } = record;
  if (typeof acct !== 'string' || !ACCOUNT_ID.test(acct)) return undefined;
  if (typeof arn !== 'string' || !ARN.test(arn)) return undefined;
  if (typeof akid !== 'string' || !ACCESS_KEY_ID.test(akid)) return undefined;
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) return undefined;
  const issued = iat as number;
  const expires = exp as number;
  if (issued < 0 || expires <= issued || expires - issued > MAX_TOKEN_TTL_SECONDS) return undefined;
  return { accountId: acct, principalArn: arn, accessKeyId: akid, issuedAt: new Date(issued * 1000), expiresAt: new Date(expires * 1000) };
}
