import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVER_KEY_BYTES, ServerKeyError, decodeServerKey, loadOrCreateServerKey, readServerKey, readServerKeyFile } from '../../../../src/auth/tokens/server-key.ts';

const run = promisify(execFile);
const MODULE_URL = new URL('../../../../src/auth/tokens/server-key.ts', import.meta.url).href;

async function scratch(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-server-key-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a missing key is created with mode 0600 in a new 0700 directory, and reused afterwards', async (t) => {
  const dir = await scratch(t);
  const path = join(dir, 'keys', 'nested', 'server.key');
  const key = await loadOrCreateServerKey(path);
  assert.equal(key.length, SERVER_KEY_BYTES);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal((await stat(join(dir, 'keys'))).mode & 0o777, 0o700);
  assert.equal((await stat(join(dir, 'keys', 'nested'))).mode & 0o777, 0o700);
  assert.deepEqual(await readdir(join(dir, 'keys', 'nested')), ['server.key'], 'no temporary file left behind');

  assert.deepEqual(await loadOrCreateServerKey(path), key, 'second call reads the same key');
  assert.deepEqual(await readServerKey(path), key);
  assert.equal(await readServerKey(join(dir, 'absent.key')), undefined);
  assert.notDeepEqual(await loadOrCreateServerKey(join(dir, 'other.key')), key, 'keys are random');
});

test('an existing directory keeps its mode', async (t) => {
  const dir = await scratch(t);
  await chmod(dir, 0o755);
  await loadOrCreateServerKey(join(dir, 'server.key'));
  assert.equal((await stat(dir)).mode & 0o777, 0o755);
});

test('concurrent creation by many callers in one process yields one key', async (t) => {
  const dir = await scratch(t);
  for (let round = 0; round < 20; round++) {
    const path = join(dir, `round-${round}`, 'server.key');
    const keys = await Promise.all(Array.from({ length: 12 }, () => loadOrCreateServerKey(path)));
    for (const key of keys) assert.deepEqual(key, keys[0], `round ${round}`);
    assert.deepEqual(await readServerKey(path), keys[0]);
    assert.deepEqual(await readdir(join(dir, `round-${round}`)), ['server.key']);
  }
});

test('concurrent creation by separate processes yields one key', async (t) => {
  const dir = await scratch(t);
  const path = join(dir, 'server.key');
  const script = `import { loadOrCreateServerKey } from ${JSON.stringify(MODULE_URL)};
    process.stdout.write((await loadOrCreateServerKey(${JSON.stringify(path)})).toString('hex'));`;
  const outputs = await Promise.all(Array.from({ length: 6 }, () => run(process.execPath, ['--input-type=module', '-e', script])));
  const keys = new Set(outputs.map((output) => output.stdout));
  assert.equal(keys.size, 1, [...keys].join(' '));
  assert.equal((await readServerKey(path))?.toString('hex'), [...keys][0]);
});

test('a key file readable by group or others is refused with the fix in the message', async (t) => {
  const dir = await scratch(t);
  const path = join(dir, 'server.key');
  await loadOrCreateServerKey(path);
  for (const mode of [0o640, 0o604, 0o644, 0o660, 0o602]) {
    await chmod(path, mode);
    await assert.rejects(loadOrCreateServerKey(path), (error: unknown) => {
      assert.ok(error instanceof ServerKeyError);
      assert.equal(error.path, path);
      assert.ok(error.message.includes(path), error.message);
      assert.ok(error.message.includes(`chmod 600 ${path}`), error.message);
      assert.ok(error.message.includes(`mode 0${mode.toString(8)}`), error.message);
      return true;
    });
  }
  await chmod(path, 0o400);
  assert.equal((await loadOrCreateServerKey(path)).length, SERVER_KEY_BYTES, 'owner read-only is fine');
});

test('a key file of the wrong size is refused and left alone', async (t) => {
  const dir = await scratch(t);
  for (const size of [0, 16, 31, 33, 64]) {
    const path = join(dir, `size-${size}.key`);
    await writeFile(path, Buffer.alloc(size, 1), { mode: 0o600 });
    await assert.rejects(loadOrCreateServerKey(path), (error: unknown) => {
      assert.ok(error instanceof ServerKeyError);
      assert.match(error.message, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has ${size} bytes, expected 32`));
      assert.match(error.message, /move it away/);
      return true;
    });
    assert.equal((await stat(path)).size, size, 'not overwritten');
  }
});

test('a symbolic link or a directory in place of the key is refused', async (t) => {
  const dir = await scratch(t);
  const real = join(dir, 'real.key');
  await loadOrCreateServerKey(real);
  const link = join(dir, 'link.key');
  await symlink(real, link);
  await assert.rejects(loadOrCreateServerKey(link), /link\.key is a symbolic link/);
  const directory = join(dir, 'dir.key');
  await mkdir(directory, { mode: 0o700 });
  await assert.rejects(loadOrCreateServerKey(directory), /dir\.key is not a regular file/);
});

test('decodeServerKey takes 32 bytes in base64 (either alphabet, padding optional) and nothing else', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i * 7));
  assert.deepEqual(decodeServerKey(key.toString('base64')), key);
  assert.deepEqual(decodeServerKey(key.toString('base64url')), key);
  assert.deepEqual(decodeServerKey(`\t${key.toString('base64').replace(/=$/, '')}\n`), key);
  for (const bad of ['', key.toString('hex'), Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), `${key.toString('base64').slice(0, 42)}.=`]) {
    assert.equal(decodeServerKey(bad), undefined, bad);
  }
});

test('a provided key file: raw or base64, symbolic links followed, never created, not readable by others', async (t) => {
  const dir = await scratch(t);
  const key = Buffer.alloc(SERVER_KEY_BYTES, 0x5a);
  const raw = join(dir, 'raw.key');
  await writeFile(raw, key, { mode: 0o600 });
  assert.deepEqual(await readServerKeyFile(raw), key);
  const text = join(dir, 'text.key');
  await writeFile(text, `${key.toString('base64')}\n`, { mode: 0o440 });
  assert.deepEqual(await readServerKeyFile(text), key, 'base64 text, group-readable (a secret volume with fsGroup)');
  // A Kubernetes secret volume: the file is a link into a timestamped directory.
  await mkdir(join(dir, '..2026_01_01'), { mode: 0o755 });
  await writeFile(join(dir, '..2026_01_01', 'server.key'), key, { mode: 0o400 });
  await symlink(join('..2026_01_01', 'server.key'), join(dir, 'mounted.key'));
  assert.deepEqual(await readServerKeyFile(join(dir, 'mounted.key')), key);

  const missing = join(dir, 'absent.key');
  await assert.rejects(readServerKeyFile(missing), (error: unknown) => {
    assert.ok(error instanceof ServerKeyError);
    assert.match(error.message, /absent\.key does not exist\. Every node reads the registry's key from it: copy an existing node's <dataDir>\/server\.key there, or make a new key with: head -c 32 \/dev\/urandom >/);
    return true;
  });
  await assert.rejects(stat(missing), { code: 'ENOENT' }, 'not created');

  const open = join(dir, 'open.key');
  await writeFile(open, key);
  await chmod(open, 0o644);
  await assert.rejects(readServerKeyFile(open), /open\.key is accessible by others \(mode 0644\); restrict it with: chmod o-rwx/);
  const wrong = join(dir, 'wrong.key');
  await writeFile(wrong, 'not a key at all\n', { mode: 0o600 });
  await assert.rejects(readServerKeyFile(wrong), /wrong\.key holds neither 32 bytes nor 32 bytes in base64 \(17 bytes\)/);
  const large = join(dir, 'large.key');
  await writeFile(large, Buffer.alloc(4096), { mode: 0o600 });
  await assert.rejects(readServerKeyFile(large), /large\.key has 4096 bytes; a server key is 32 bytes, or their base64/);
  await assert.rejects(readServerKeyFile(dir), /is not a regular file/);
});
