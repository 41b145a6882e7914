import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVER_KEY_BYTES, ServerKeyError, loadOrCreateServerKey, readServerKey } from '../../../../src/auth/tokens/server-key.ts';

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
