// Filesystem BlobStore. Layout under the root (documented in docs/storage-layout.md):
//   blobs/<algorithm>/<first two hex>/<hex>   immutable, appears only by rename
//   uploads/<id>                              staging file of an upload in progress
// Both live on one filesystem, so commit is fsync + rename: a crash never leaves a
// partial blob visible.
import { createReadStream } from 'node:fs';
import { mkdir, open, opendir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Digest } from '../../model/digest.ts';
import { CoalescingFileWriter } from './coalescing-file-writer.ts';
import {
  BlobNotFoundError,
  InvalidOffsetError,
  UploadNotFoundError,
  type BlobStat,
  type BlobStore,
  type ByteRange,
  type OperationOptions,
  type RandomAccessBlob,
  type StagedUpload,
  type StoredBlob,
} from './blob-store.ts';

const DRIVER = 'fs';
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;
const READ_CHUNK = Number(process.env.BERTH_READ_CHUNK ?? 1024 * 1024);

export interface FsBlobStoreOptions {
  readonly root: string;
  /** fsync blobs and their directories before they become visible (default true). */
  readonly fsync?: boolean;
}

export class FsBlobStore implements BlobStore {
  readonly name = DRIVER;
  readonly capabilities = { redirect: false };
  readonly #root: string;
  readonly #fsync: boolean;
  readonly #knownDirs = new Set<string>();

  constructor(options: FsBlobStoreOptions) {
    this.#root = options.root;
    this.#fsync = options.fsync ?? true;
  }

  static async open(options: FsBlobStoreOptions): Promise<FsBlobStore> {
    const store = new FsBlobStore(options);
    await mkdir(join(options.root, 'blobs'), { recursive: true });
    await mkdir(join(options.root, 'uploads'), { recursive: true });
    return store;
  }

  #blobPath(digest: Digest): string {
    return join(this.#root, 'blobs', digest.algorithm, digest.hex.slice(0, 2), digest.hex);
  }

  #uploadPath(id: string): string {
    if (!UPLOAD_ID.test(id)) throw new UploadNotFoundError(DRIVER, id);
    return join(this.#root, 'uploads', id);
  }

  async stat(digest: Digest): Promise<BlobStat | undefined> {
    try {
      const info = await stat(this.#blobPath(digest));
      return { size: info.size, modifiedAt: info.mtime };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async read(digest: Digest, range?: ByteRange): Promise<Readable> {
    const path = this.#blobPath(digest);
    // Open first so a missing blob is reported here, not as a stream error later.
    const handle = await open(path, 'r').catch((error: unknown) => {
      if (isNotFound(error)) throw new BlobNotFoundError(DRIVER, digest.value);
      throw error;
    });
    // Each read allocates a buffer of highWaterMark bytes: size it to what is asked for.
    let length: number;
    try {
      length = range ? range.end - range.start + 1 : (await handle.stat()).size;
    } catch (error) {
      await handle.close();
      throw error;
    }
    return createReadStream('', {
      fd: handle,
      start: range?.start,
      end: range?.end,
      highWaterMark: Math.max(Math.min(READ_CHUNK, length), 1),
    });
  }

  async openRandomAccess(digest: Digest): Promise<RandomAccessBlob> {
    const handle = await open(this.#blobPath(digest), 'r').catch((error: unknown) => {
      if (isNotFound(error)) throw new BlobNotFoundError(DRIVER, digest.value);
      throw error;
    });
    return {
      read: async (target, length, position) => (await handle.read(target, 0, length, position)).bytesRead,
      close: () => handle.close(),
    };
  }

  async delete(digest: Digest): Promise<boolean> {
    try {
      await unlink(this.#blobPath(digest));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async *list(options: OperationOptions = {}): AsyncIterable<StoredBlob> {
    for (const algorithm of await listDir(join(this.#root, 'blobs'))) {
      for (const prefix of await listDir(join(this.#root, 'blobs', algorithm))) {
        for (const hex of await listDir(join(this.#root, 'blobs', algorithm, prefix))) {
          options.signal?.throwIfAborted();
          const info = await stat(join(this.#root, 'blobs', algorithm, prefix, hex)).catch(() => undefined);
          if (info?.isFile()) yield { digest: `${algorithm}:${hex}`, size: info.size, modifiedAt: info.mtime };
        }
      }
    }
  }

  async createUpload(id: string): Promise<void> {
    const handle = await open(this.#uploadPath(id), 'wx');
    await handle.close();
  }

  async appendUpload(id: string, offset: number, source: Readable, options: OperationOptions = {}): Promise<number> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidOffsetError(DRIVER, id, offset, 0);
    const handle = await open(this.#uploadPath(id), 'r+').catch((error: unknown) => {
      if (isNotFound(error)) throw new UploadNotFoundError(DRIVER, id);
      throw error;
    });
    let size: number;
    try {
      size = (await handle.stat()).size;
      if (offset > size) throw new InvalidOffsetError(DRIVER, id, offset, size);
      if (size > offset) await handle.truncate(offset);
    } catch (error) {
      await handle.close();
      throw error;
    }
    // The writer owns the handle from here and closes it however the copy ends.
    const writer = new CoalescingFileWriter(handle, offset, { earlySync: this.#fsync });
    await pipeline(source, writer, options.signal ? { signal: options.signal } : {});
    return writer.bytesWritten;
  }

  async readUpload(id: string, length: number): Promise<Readable> {
    const handle = await open(this.#uploadPath(id), 'r').catch((error: unknown) => {
      if (isNotFound(error)) throw new UploadNotFoundError(DRIVER, id);
      throw error;
    });
    if (length === 0) {
      await handle.close();
      return Readable.from([]);
    }
    return createReadStream('', { fd: handle, start: 0, end: length - 1, highWaterMark: READ_CHUNK });
  }

  async commitUpload(id: string, length: number, digest: Digest): Promise<void> {
    const source = this.#uploadPath(id);
    const handle = await open(source, 'r+').catch((error: unknown) => {
      if (isNotFound(error)) throw new UploadNotFoundError(DRIVER, id);
      throw error;
    });
    try {
      const { size } = await handle.stat();
      if (size < length) throw new InvalidOffsetError(DRIVER, id, length, size);
      if (size > length) await handle.truncate(length);
      if (this.#fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    const target = this.#blobPath(digest);
    const dir = join(target, '..');
    if (!this.#knownDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.#knownDirs.add(dir);
    }
    // rename() replaces an existing blob with identical bytes, which is harmless
    // and keeps commit a single atomic step.
    await rename(source, target);
    if (this.#fsync) await syncDirectory(dir);
  }

  async deleteUpload(id: string): Promise<void> {
    await rm(this.#uploadPath(id), { force: true });
  }

  async *listUploads(options: OperationOptions = {}): AsyncIterable<StagedUpload> {
    for (const id of await listDir(join(this.#root, 'uploads'))) {
      options.signal?.throwIfAborted();
      const info = await stat(join(this.#root, 'uploads', id)).catch(() => undefined);
      if (info?.isFile()) yield { id, size: info.size, modifiedAt: info.mtime };
    }
  }

  async close(): Promise<void> {}
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function listDir(path: string): Promise<string[]> {
  try {
    const names: string[] = [];
    for await (const entry of await opendir(path)) names.push(entry.name);
    return names.sort();
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
