// The server key: 32 random bytes only the server's user may read. Tokens are signed
// with keys derived from it and access-key secrets are sealed under it, so every node
// must load the same key, and losing it logs everybody out. By default it is
// <dataDir>/server.key, made at the first start; nodes that do not share a data
// directory read it from a file they all mount (readServerKeyFile) or from
// BERTH_SERVER_KEY (decodeServerKey), and src/auth/server-key-check.ts refuses a node
// whose key is not the registry's.
//
// Creation is atomic and race-free: the bytes are written to a private temporary file, synced,
// then hard-linked to the final name. link(2) fails if the name exists, so when two processes
// create at once exactly one wins and the other reads the winner's key; rename(2) would let
// the second silently replace a key the first may already be using.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const SERVER_KEY_BYTES = 32;

export class ServerKeyError extends Error {
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServerKeyError';
    this.path = path;
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Reads the server key at `path`, creating it (and its directory, 0700) when there is none. */
export async function loadOrCreateServerKey(path: string): Promise<Buffer> {
  const existing = await readServerKey(path);
  if (existing !== undefined) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const created = await createServerKey(path);
  if (created !== undefined) return created;
  // Another process created it between our read and our link: use theirs.
  const theirs = await readServerKey(path);
  if (theirs === undefined) throw new ServerKeyError(path, `server key file ${path} vanished while it was being created; start again`);
  return theirs;
}

/** The key at `path`, or undefined when there is no file. Refuses anything that is not a valid key file. */
export async function readServerKey(path: string): Promise<Buffer | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new ServerKeyError(path, `server key file ${path} is a symbolic link; replace it with the file itself (mode 0600)`, { cause: error });
    throw new ServerKeyError(path, `cannot open server key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ServerKeyError(path, `server key file ${path} is not a regular file; move it away and start again to create a new key`);
    const mode = stats.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ServerKeyError(path, `server key file ${path} is accessible by group or others (mode 0${mode.toString(8)}); restrict it with: chmod 600 ${path}`);
    }
    if (stats.size !== SERVER_KEY_BYTES) {
      throw new ServerKeyError(
        path,
        `server key file ${path} has ${stats.size} bytes, expected ${SERVER_KEY_BYTES}; it is not a Berth server key. ` +
          `Restore the original file, or move it away to create a new key (tokens issued under the old key stop working)`,
      );
    }
    const key = Buffer.alloc(SERVER_KEY_BYTES);
    const { bytesRead } = await handle.read(key, 0, SERVER_KEY_BYTES, 0);
    if (bytesRead !== SERVER_KEY_BYTES) throw new ServerKeyError(path, `server key file ${path} is shorter than ${SERVER_KEY_BYTES} bytes; restore it or move it away`);
    return key;
  } finally {
    await handle.close();
  }
}

/** Creates the key file; undefined when another process created it first. */
async function createServerKey(path: string): Promise<Buffer | undefined> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const key = randomBytes(SERVER_KEY_BYTES);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // whatever the umask did
      await handle.writeFile(key);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, path);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return undefined;
      throw new ServerKeyError(path, `cannot create server key file ${path}: ${(error as Error).message}`, { cause: error });
    }
    await syncDirectory(directory);
    return key;
  } catch (error) {
    if (error instanceof ServerKeyError) throw error;
    throw new ServerKeyError(path, `cannot create server key file ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Makes the new name durable; some filesystems cannot sync a directory, which is not fatal. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EINVAL/EPERM on filesystems without directory fsync.
  } finally {
    await handle?.close();
  }
}

/**
 * A server key written as text: 32 bytes in base64 (standard or URL-safe alphabet,
 * padding optional, surrounding whitespace ignored), as `head -c 32 /dev/urandom | base64`
 * prints it. Undefined for anything else; callers must not show the text in errors.
 */
export function decodeServerKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === SERVER_KEY_BYTES ? key : undefined;
}

/**
 * The key in a file the operator provides (serverKeyFile), e.g. one that every node
 * mounts: 32 raw bytes, or the same in base64 text. Unlike the data directory's own key
 * it is never created here (nodes that each made one would disagree), and symbolic links
 * are followed, as secret mounts (Kubernetes, Docker) are made of them. Others than
 * the owner and group must not be able to read it.
 */
export async function readServerKeyFile(path: string): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new ServerKeyError(
        path,
        `server key file ${path} does not exist. Every node reads the registry's key from it: copy an existing node's <dataDir>/server.key there, ` +
          `or make a new key with: head -c 32 /dev/urandom > ${path} && chmod 600 ${path}`,
        { cause: error },
      );
    }
    throw new ServerKeyError(path, `cannot open server key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ServerKeyError(path, `server key file ${path} is not a regular file`);
    const mode = stats.mode & 0o777;
    if ((mode & 0o007) !== 0) {
      throw new ServerKeyError(
        path,
        `server key file ${path} is accessible by others (mode 0${mode.toString(8)}); restrict it with: chmod o-rwx ${path} (a Kubernetes secret volume: defaultMode 0440 or stricter)`,
      );
    }
    // Larger than any key, raw or in text: not read, so that nothing else is taken for one.
    if (stats.size > 128) throw new ServerKeyError(path, `server key file ${path} has ${stats.size} bytes; a server key is ${SERVER_KEY_BYTES} bytes, or their base64`);
    const content = await handle.readFile();
    if (content.length === SERVER_KEY_BYTES) return content;
    const decoded = decodeServerKey(content.toString('latin1'));
    if (decoded) return decoded;
    throw new ServerKeyError(path, `server key file ${path} holds neither ${SERVER_KEY_BYTES} bytes nor ${SERVER_KEY_BYTES} bytes in base64 (${content.length} bytes)`);
  } finally {
    await handle.close();
  }
}
