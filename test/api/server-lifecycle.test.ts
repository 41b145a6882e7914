// The process around the registry: health endpoints, configuration errors,
// and graceful shutdown that lets an in-flight upload finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { berthMain, startBerth } from '../helpers/berth-process.ts';

const run = promisify(execFile);

test('healthz and readyz answer while serving', async () => {
  const berth = await startBerth();
  try {
    assert.equal((await fetch(`${berth.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${berth.url}/readyz`)).status, 200);
    const { authorization } = await berth.login();
    const base = await fetch(`${berth.url}/v2/`, { headers: { Authorization: authorization } });
    assert.equal(base.status, 200);
    assert.equal(base.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.match(base.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  } finally {
    assert.equal(await berth.stop(), 0);
  }
});

test('SIGTERM lets an in-flight upload finish, then exits 0', async () => {
  const berth = await startBerth();
  const { authorization } = await berth.login();
  const content = randomBytes(256 * 1024);
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
  const { port } = new URL(berth.url);
  const response = new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: `/v2/drain/test/blobs/uploads/?digest=${digest}`, headers: { Authorization: authorization, 'Content-Length': content.length } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.write(content.subarray(0, 1000));
    // Send the rest only after the server has been told to stop.
    setTimeout(() => {
      berth.child.kill('SIGTERM');
      setTimeout(() => req.end(content.subarray(1000)), 300);
    }, 200);
  });
  assert.equal(await response, 201);
  const exitCode = await berth.stop();
  assert.equal(exitCode, 0);
  assert.ok(berth.logs.some((line) => line.includes('"stopped"')));
});

test('a bad setting stops start-up with a message naming the key and its source', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-config-'));
  try {
    const badPort = await run(process.execPath, [berthMain, 'serve', '--data-dir', dir], { env: { ...process.env, BERTH_PORT: 'abc' } }).catch((error: { code: number; stderr: string }) => error);
    assert.equal((badPort as { code: number }).code, 2);
    assert.match((badPort as { stderr: string }).stderr, /port \(from environment variable BERTH_PORT\)/);

    const file = join(dir, 'berth.yaml');
    await writeFile(file, 'port: 5000\nstorage:\n  drivr: fs\n');
    const unknownKey = await run(process.execPath, [berthMain, 'serve', '--config', file]).catch((error: { code: number; stderr: string }) => error);
    assert.equal((unknownKey as { code: number }).code, 2);
    assert.match((unknownKey as { stderr: string }).stderr, /unknown key "storage\.drivr"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--help prints the flags', async () => {
  const { stdout } = await run(process.execPath, [berthMain, '--help']);
  for (const flag of ['--host', '--port', '--data-dir', '--config', '--tls-cert', '--tls-key', '--tls-self-signed']) assert.ok(stdout.includes(flag), flag);
});

test('--tls-cert/--tls-key serve HTTPS with the given certificate, verified by clients', async () => {
  const { get } = await import('node:https');
  const { readFile, cp } = await import('node:fs/promises');
  // Let one server generate a development certificate, then serve it as "our own" files.
  const generator = await startBerth({ args: ['--tls-self-signed'] });
  const certDir = await mkdtemp(join(tmpdir(), 'berth-tls-'));
  await cp(join(generator.dataDir, 'tls'), certDir, { recursive: true });
  await generator.stop();
  const berth = await startBerth({ args: ['--tls-cert', join(certDir, 'cert.pem'), '--tls-key', join(certDir, 'key.pem')] });
  try {
    assert.match(berth.url, /^https:/);
    const ca = await readFile(join(certDir, 'cert.pem'));
    // The login's GetAuthorizationToken call goes over HTTPS too, trusting the same certificate.
    const { authorization } = await berth.login();
    const status = await new Promise<number>((resolve, reject) => {
      get(`${berth.url}/v2/`, { ca, headers: { Authorization: authorization } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 200);
    await assert.rejects(fetch(`${berth.url}/v2/`), 'a client without the CA refuses the certificate');
  } finally {
    await berth.stop();
    await rm(certDir, { recursive: true, force: true });
  }
});

test('a port in use stops start-up with one clear line', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  const port = (blocker.address() as { port: number }).port;
  const dir = await mkdtemp(join(tmpdir(), 'berth-port-'));
  try {
    const result = await run(process.execPath, [berthMain, 'serve', '--port', String(port), '--data-dir', dir]).catch((error: { code: number; stderr: string }) => error);
    assert.equal((result as { code: number }).code, 1);
    assert.match((result as { stderr: string }).stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: it is already in use`));
  } finally {
    blocker.close();
    await rm(dir, { recursive: true, force: true });
  }
});
