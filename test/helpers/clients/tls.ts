// TLS material

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './process.ts';

export interface SelfSignedCert {
  certPath: string;
  keyPath: string;
  certPem: string;
}

/** Generates a self-signed certificate for 127.0.0.1/localhost with openssl. */
export async function generateSelfSignedCert(dir: string): Promise<SelfSignedCert> {
  await mkdir(dir, { recursive: true });
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
    '-addext', 'extendedKeyUsage=serverAuth',
  ]);
  return { certPath, keyPath, certPem: await readFile(certPath, 'utf8') };
}
