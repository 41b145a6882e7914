// Seals access-key secrets before they reach the metadata store: AES-256-GCM under a
// key derived from the server key (HKDF, its own label, so it is independent of the
// token MAC key). A database copy alone reveals no secret.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'berth access-key secrets v1';
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

// One HKDF run per server key object, not per secret opened (access-key logins open one per request).
const boxKeys = new WeakMap<Buffer, Buffer>();

function boxKey(serverKey: Buffer): Buffer {
  if (serverKey.length < 32) throw new TypeError('the server key must be at least 32 bytes');
  let key = boxKeys.get(serverKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', serverKey, '', INFO, 32));
    boxKeys.set(serverKey, key);
  }
  return key;
}

/** version (1 byte) ‖ IV (12) ‖ ciphertext ‖ GCM tag (16). */
export function sealSecret(plaintext: string, serverKey: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', boxKey(serverKey), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]);
}

/** The secret, or undefined when the box was not sealed with this key (or was altered). */
export function openSecret(sealed: Buffer, serverKey: Buffer): string | undefined {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) return undefined;
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const body = sealed.subarray(1 + IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', boxKey(serverKey), iv);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
