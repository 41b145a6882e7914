// A development certificate for `berth serve --tls-self-signed`: an ECDSA P-256
// key and a self-signed certificate for localhost and the loopback addresses,
// kept in <data-dir>/tls so clients that trusted it once keep trusting it.
import { webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
}

const VALID_DAYS = 365;

export async function loadOrCreateSelfSigned(dir: string, host: string): Promise<TlsMaterial> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  // Loaded on demand: only TLS development setups pay for the X.509 library,
  // which needs the reflect-metadata polyfill installed before it loads.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const existing = await readExisting(x509, certPath, keyPath);
  if (existing) return existing;

  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof X509.cryptoProvider.set>[0]);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names = [...new Set(['localhost', hostname(), host].filter((name) => name && !isIp(name)))];
  const ips = [...new Set(['127.0.0.1', '::1', ...(isIp(host) && host !== '0.0.0.0' ? [host] : [])])];
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=Berth development registry',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + VALID_DAYS * 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as unknown as Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.map((value) => ({ type: 'dns' as const, value })),
        ...ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
  const certPem = cert.toString('pem') + '\n';
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, keyPem, { mode: 0o600 });
  await writeFile(certPath, certPem, { mode: 0o644 });
  return { cert: certPem, key: keyPem, certPath };
}

async function readExisting(x509: typeof X509, certPath: string, keyPath: string): Promise<TlsMaterial | undefined> {
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    const parsed = new x509.X509Certificate(cert);
    if (parsed.notAfter.getTime() < Date.now() + 86_400_000) return undefined; // about to expire: make a new one
    return { cert, key, certPath };
  } catch {
    return undefined;
  }
}

function isIp(value: string): boolean {
  return /^[\d.]+$/.test(value) || value.includes(':');
}
