// Pre-signed blob download URLs, Berth's answer to the S3 URL ECR's GetDownloadUrlForLayer
// returns: a /v2/ blob URL whose query string carries who asked, until when, and an HMAC
// over the repository, digest, key and expiry, so that a plain `curl` can fetch the layer
// without any login. It is checked like a token: a key deactivated or deleted since ends it.
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';

export const DOWNLOAD_URL_TTL_SECONDS = 3600;
const INFO = 'berth/blob-download/v1/hmac-sha256';
export const DOWNLOAD_PARAMS = { credential: 'X-Berth-Credential', expires: 'X-Berth-Expires', signature: 'X-Berth-Signature' } as const;

const macKeys = new WeakMap<Buffer, KeyObject>();

function macKey(serverKey: Buffer): KeyObject {
  let key = macKeys.get(serverKey);
  if (!key) {
    key = createSecretKey(Buffer.from(hkdfSync('sha256', serverKey, '', INFO, 32)));
    macKeys.set(serverKey, key);
  }
  return key;
}

function signature(serverKey: Buffer, repository: string, digest: string, accessKeyId: string, expires: number): Buffer {
  return createHmac('sha256', macKey(serverKey)).update(`${repository}\n${digest}\n${accessKeyId}\n${expires}`, 'utf8').digest();
}

/** The query parameters that make `/v2/<repository>/blobs/<digest>` fetchable without a login until `expires` (epoch seconds). */
export function presignBlobDownload(serverKey: Buffer, grant: { repository: string; digest: string; accessKeyId: string; expires: number }): URLSearchParams {
  return new URLSearchParams({
    [DOWNLOAD_PARAMS.credential]: grant.accessKeyId,
    [DOWNLOAD_PARAMS.expires]: String(grant.expires),
    [DOWNLOAD_PARAMS.signature]: signature(serverKey, grant.repository, grant.digest, grant.accessKeyId, grant.expires).toString('base64url'),
  });
}

export type DownloadCheck = { readonly ok: true; readonly accessKeyId: string } | { readonly ok: false; readonly reason: 'absent' | 'invalid' | 'expired' };

/** Whether the query string pre-signs a download of this blob; the caller still checks that the key is active. */
export function checkBlobDownload(serverKey: Buffer, query: URLSearchParams, repository: string, digest: string, nowSeconds: number): DownloadCheck {
  const given = query.get(DOWNLOAD_PARAMS.signature);
  if (given === null) return { ok: false, reason: 'absent' };
  const accessKeyId = query.get(DOWNLOAD_PARAMS.credential) ?? '';
  const expiresText = query.get(DOWNLOAD_PARAMS.expires) ?? '';
  if (!/^\d{1,12}$/.test(expiresText) || accessKeyId === '' || accessKeyId.length > 128) return { ok: false, reason: 'invalid' };
  const expires = Number(expiresText);
  const expected = signature(serverKey, repository, digest, accessKeyId, expires);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'invalid' };
  if (expires <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, accessKeyId };
}
