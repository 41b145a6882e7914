// HTTP Basic authentication for the registry API (RFC 7617), the way ECR uses it: the
// client sends `Authorization: Basic base64("AWS:" + token)`, which is exactly the
// authorizationToken GetAuthorizationToken returned (`docker login -u AWS -p <token>`).

/** Longer Authorization headers are refused before decoding (a token is at most 2 KiB). */
export const MAX_AUTHORIZATION_LENGTH = 4096;
export const ECR_SERVICE = 'ecr.amazonaws.com';
export const TOKEN_USERNAME = 'AWS';

export type BasicFailure = 'missing' | 'not-basic' | 'malformed' | 'too-long';
export type BasicCredentials = { readonly ok: true; readonly username: string; readonly password: string } | { readonly ok: false; readonly reason: BasicFailure };

const BASIC = /^basic[ ]+/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// RFC 7617: neither user-id nor password may contain control characters.
const CONTROL = /[\u0000-\u001f\u007f]/;
const SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ ]|$)/;

/**
 * Parses an Authorization header value. 'missing' when there is none, 'not-basic' for another
 * scheme (e.g. Bearer or AWS4-HMAC-SHA256), 'malformed' for anything that is not strict
 * padded base64 of UTF-8 `user:password` without control characters.
 */
export function parseBasicAuthorization(header: string | readonly string[] | undefined): BasicCredentials {
  const fail = (reason: BasicFailure): BasicCredentials => ({ ok: false, reason });
  if (header === undefined) return fail('missing');
  if (typeof header !== 'string') return fail('malformed'); // repeated header
  if (header.length > MAX_AUTHORIZATION_LENGTH) return fail('too-long');
  const value = header.replace(/^[ \t]+|[ \t]+$/g, '');
  if (value === '') return fail('missing');
  const scheme = BASIC.exec(value);
  if (scheme === null) return SCHEME.test(value) && !/^basic$/i.test(value) ? fail('not-basic') : fail('malformed');
  const encoded = value.slice(scheme[0].length);
  if (encoded === '' || !BASE64.test(encoded)) return fail('malformed');
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.toString('base64') !== encoded) return fail('malformed'); // spare bits set
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('malformed');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return fail('malformed');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (CONTROL.test(username) || CONTROL.test(password)) return fail('malformed');
  return { ok: true, username, password };
}

/** ECR's authorizationData.authorizationToken: base64("AWS:" + token). */
export function authorizationTokenFor(token: string): string {
  if (token === '' || /\s/.test(token) || CONTROL.test(token)) throw new TypeError('a registry token is non-empty and has no whitespace');
  return Buffer.from(`${TOKEN_USERNAME}:${token}`, 'utf8').toString('base64');
}

/**
 * The WWW-Authenticate value for a 401 from the registry API. The realm becomes an HTTP
 * quoted-string: `"` and `\` are backslash-escaped, and anything outside printable ASCII
 * (control characters, CR/LF, non-ASCII) is percent-encoded as UTF-8, so no realm can break
 * out of the header or make Node refuse it.
 */
export function wwwAuthenticateBasic(realm: string): string {
  return `Basic realm="${quote(realm)}",service="${ECR_SERVICE}"`;
}

function quote(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else out += encodeURIComponent(char.length === 1 && code >= 0xd800 && code <= 0xdfff ? '\ufffd' : char);
  }
  return out;
}
