// Blob upload sessions: the one use case behind OCI's POST/PATCH/PUT uploads
// (and, later, ECR's InitiateLayerUpload/UploadLayerPart/CompleteLayerUpload).
//
// Session state (repository, offset) lives in the metadata store so any node can
// continue an upload. The running SHA-256 lives in this process only: when a
// session arrives here mid-way (restart, another node) or a chunk failed half way,
// the hasher is dropped and completion re-hashes the staged bytes instead.
import { randomUUID, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { RegistryError } from '../errors/registry-error.ts';
import type { Digest } from '../model/digest.ts';
import { UploadNotFoundError } from '../storage/blob/blob-store.ts';
import type { UploadRecord } from '../storage/meta/metadata-store.ts';
import { DigestingStream, newHash } from '../util/digesting-stream.ts';
import { feedBody } from '../util/feed-body.ts';
import type { RegistryContext } from './registry-context.ts';
import type { RepositoryCreation } from './repository-creation.ts';

export interface ChunkRange {
  readonly start: number;
  /** Inclusive end. */
  readonly end: number;
}

export interface IncomingChunk {
  readonly body: Readable;
  /** From Content-Range, when the client sent one. */
  readonly range?: ChunkRange;
  /** From Content-Length, when the client sent one. */
  readonly length?: number;
  readonly signal?: AbortSignal;
}

/** How long a writer's claim on a session lasts unless renewed, and how often it is renewed while the writer works. */
const WRITER_CLAIM_MS = 10_000;
const WRITER_RENEW_MS = 3_000;
/** How long an upload waits for a collector deleting the same digest, and how often it asks. */
const RESERVE_WAIT_MS = 10_000;
const RESERVE_RETRY_MS = 100;

interface RunningHash {
  readonly hash: Hash;
  offset: number;
}

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Upload ids are UUIDs the registry made; anything else names no upload. */
export function isUploadId(text: string): boolean {
  return UPLOAD_ID.test(text);
}

export class Uploads {
  readonly #context: RegistryContext;
  readonly #creation: RepositoryCreation;
  readonly #hashes = new Map<string, RunningHash>();
  readonly #busy = new Set<string>();

  constructor(context: RegistryContext, creation: RepositoryCreation) {
    this.#context = context;
    this.#creation = creation;
  }

  async start(repository: string): Promise<UploadRecord> {
    await this.#creation.ensureForPush(repository);
    const id = randomUUID();
    const now = this.#context.now();
    await this.#context.blobs.createUpload(id);
    const record: UploadRecord = { id, repository, offset: 0, startedAt: now, updatedAt: now };
    await this.#context.metadata.uploads.create(record);
    this.#hashes.set(id, { hash: newHash('sha256'), offset: 0 });
    return record;
  }

  async status(repository: string, id: string): Promise<UploadRecord> {
    return this.#session(repository, id);
  }

  async append(repository: string, id: string, chunk: IncomingChunk): Promise<UploadRecord> {
    return this.#exclusive(
      id,
      async () => {
        const session = await this.#session(repository, id);
        return this.#appendTo(session, chunk);
      },
      chunk.signal,
    );
  }

  /** Finishes an upload: an optional last chunk, then the digest check, then the blob becomes visible. */
  async complete(repository: string, id: string, digest: Digest, chunk?: IncomingChunk): Promise<{ size: number }> {
    return this.#exclusive(
      id,
      async () => {
        let session = await this.#session(repository, id);
        if (chunk) session = await this.#appendTo(session, chunk);
        // The repository may have been deleted since the session started.
        await this.#creation.ensureForPush(repository);
        await this.#verifyAndCommit(id, session.offset, digest, repository);
        return { size: session.offset };
      },
      chunk?.signal,
    );
  }

  async cancel(repository: string, id: string): Promise<void> {
    await this.#exclusive(id, async () => {
      await this.#session(repository, id);
      await this.#discard(id);
    });
  }

  /** A whole blob in one request (POST ?digest=, or a blob PUT): staged, verified, committed. */
  async putWhole(repository: string, digest: Digest, chunk: IncomingChunk): Promise<{ size: number }> {
    await this.#creation.ensureForPush(repository);
    const id = randomUUID();
    await this.#context.blobs.createUpload(id);
    try {
      const hash = newHash(digest.algorithm);
      const written = await this.#write(id, 0, chunk, hash);
      if (hash.digest('hex') !== digest.hex) {
        throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: digest.value });
      }
      await this.#reserve(digest, written);
      await this.#context.blobs.commitUpload(id, written, digest);
      if (!(await this.#context.metadata.blobs.link(repository, digest.value, written))) throw collectedMeanwhile(digest);
      this.#context.usage?.received(repository, written);
      return { size: written };
    } catch (error) {
      await this.#context.blobs.deleteUpload(id).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Removes sessions idle since before `cutoff`, and staged bytes no session owns.
   * A session this process is writing right now is never idle, whatever its row says
   * (the row's time moves when a chunk ends, and one streamed chunk can take hours).
   */
  async purge(cutoff: Date): Promise<number> {
    let purged = 0;
    for (let after = new Set<string>(); ; ) {
      const stale = (await this.#context.metadata.uploads.listUpdatedBefore(cutoff, 100 + after.size)).filter(
        (upload) => !after.has(upload.id),
      );
      if (stale.length === 0) break;
      for (const upload of stale) {
        if (this.#busy.has(upload.id)) {
          after.add(upload.id);
          continue;
        }
        await this.#discard(upload.id);
        purged++;
      }
    }
    for await (const staged of this.#context.blobs.listUploads()) {
      if (staged.modifiedAt >= cutoff || this.#busy.has(staged.id)) continue;
      if ((await this.#context.metadata.uploads.get(staged.id)) !== undefined) continue;
      await this.#context.blobs.deleteUpload(staged.id);
      purged++;
    }
    // Running hashes of sessions another process ended or purged.
    for (const id of this.#hashes.keys()) {
      if (!this.#busy.has(id) && (await this.#context.metadata.uploads.get(id)) === undefined) this.#hashes.delete(id);
    }
    return purged;
  }

  async #session(repository: string, id: string): Promise<UploadRecord> {
    const session = isUploadId(id) ? await this.#context.metadata.uploads.get(id) : undefined;
    if (!session || session.repository !== repository) {
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uploadId: id });
    }
    return session;
  }

  async #appendTo(session: UploadRecord, chunk: IncomingChunk): Promise<UploadRecord> {
    if (chunk.range) {
      if (chunk.range.start !== session.offset) {
        throw new RegistryError(
          'RANGE_INVALID',
          `chunk starts at ${chunk.range.start} but the upload has ${session.offset} bytes`,
          { offset: session.offset },
          { Range: rangeHeader(session.offset) },
        );
      }
      const declared = chunk.range.end - chunk.range.start + 1;
      if (chunk.length !== undefined && chunk.length !== declared) {
        throw new RegistryError('SIZE_INVALID', `Content-Range covers ${declared} bytes but Content-Length is ${chunk.length}`);
      }
    }
    const running = this.#hashes.get(session.id);
    const hash = running && running.offset === session.offset ? running.hash : undefined;
    if (!hash) this.#hashes.delete(session.id);
    let written: number;
    try {
      written = await this.#write(session.id, session.offset, chunk, hash);
    } catch (error) {
      // Part of the chunk may have reached the hasher: it no longer matches the staged bytes.
      this.#hashes.delete(session.id);
      throw error;
    }
    const expected = chunk.range ? chunk.range.end - chunk.range.start + 1 : chunk.length;
    if (expected !== undefined && written !== expected) {
      this.#hashes.delete(session.id);
      throw new RegistryError('SIZE_INVALID', `received ${written} bytes but ${expected} were declared`);
    }
    const offset = session.offset + written;
    const now = this.#context.now();
    if (!(await this.#context.metadata.uploads.advance(session.id, session.offset, offset, now))) {
      this.#hashes.delete(session.id);
      throw new RegistryError('BLOB_UPLOAD_INVALID', 'the upload was changed by another request', { uploadId: session.id });
    }
    if (hash && running) running.offset = offset;
    this.#context.usage?.received(session.repository, written);
    return { ...session, offset, updatedAt: now };
  }

  async #write(id: string, offset: number, chunk: IncomingChunk, hash: Hash | undefined): Promise<number> {
    const limit = this.#context.limits.maxBlobBytes - offset;
    const digesting = new DigestingStream({
      ...(hash ? { hash } : {}),
      limit,
      onLimit: () => new RegistryError('SIZE_INVALID', `blob exceeds the limit of ${this.#context.limits.maxBlobBytes} bytes`),
    });
    const detach = feedBody(chunk.body, digesting, () => new RegistryError('BLOB_UPLOAD_INVALID', 'the client went away mid-upload'));
    try {
      const declaredLength = chunk.range ? chunk.range.end - chunk.range.start + 1 : chunk.length;
      await this.#context.blobs.appendUpload(id, offset, digesting, { ...(chunk.signal ? { signal: chunk.signal } : {}), declaredLength });
    } catch (error) {
      if (error instanceof UploadNotFoundError) {
        throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uploadId: id });
      }
      throw error;
    } finally {
      detach();
    }
    return digesting.bytes;
  }

  async #verifyAndCommit(id: string, size: number, digest: Digest, repository: string): Promise<void> {
    const running = this.#hashes.get(id);
    let actual: string;
    if (digest.algorithm === 'sha256' && running && running.offset === size) {
      actual = running.hash.digest('hex');
    } else {
      const hash = newHash(digest.algorithm);
      for await (const piece of await this.#context.blobs.readUpload(id, size)) hash.update(piece as Buffer);
      actual = hash.digest('hex');
    }
    this.#hashes.delete(id);
    if (actual !== digest.hex) {
      await this.#discard(id);
      throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: digest.value });
    }
    await this.#reserve(digest, size);
    await this.#context.blobs.commitUpload(id, size, digest);
    if (!(await this.#context.metadata.uploads.complete(id, repository, digest.value, size))) {
      await this.#discard(id);
      throw collectedMeanwhile(digest);
    }
  }

  /**
   * Tells garbage collection the blob's bytes are about to be committed, before they
   * are: its row is created or touched, so a collector leaves it alone for a grace
   * period. While a collector is deleting the same digest's old bytes (a few
   * milliseconds, normally) this waits, then the bytes are committed after the delete.
   */
  async #reserve(digest: Digest, size: number): Promise<void> {
    const giveUpAt = Date.now() + RESERVE_WAIT_MS;
    while ((await this.#context.metadata.blobs.reserve(digest.value, size, this.#context.now())) === 'busy') {
      if (Date.now() > giveUpAt) {
        throw new RegistryError('TOOMANYREQUESTS', 'the blob is being garbage-collected; retry the upload', { digest: digest.value }, { 'Retry-After': '10' });
      }
      await new Promise((resolve) => setTimeout(resolve, RESERVE_RETRY_MS));
    }
  }

  async #discard(id: string): Promise<void> {
    this.#hashes.delete(id);
    await this.#context.blobs.deleteUpload(id);
    await this.#context.metadata.uploads.delete(id);
  }

  /**
   * Runs `work` as the only writer of the session, in this process (a set) and across
   * processes and nodes (a claim in the metadata store's leases, renewed while the work
   * runs). The offset compare-and-set alone would order two concurrent writers but not
   * keep their bytes apart in the staging area, where the loser's could overwrite the
   * winner's after the winner hashed them. A writer that died leaves a claim that lapses
   * within WRITER_CLAIM_MS; a request meanwhile waits for it rather than failing — unless
   * its client leaves (`signal`), which ends the wait.
   */
  async #exclusive<T>(id: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#busy.has(id)) {
      throw new RegistryError('BLOB_UPLOAD_INVALID', 'another request is writing to this upload', { uploadId: id });
    }
    this.#busy.add(id);
    try {
      const leases = this.#context.metadata.leases;
      const claim = `upload-writer:${id}`;
      const holder = randomUUID();
      const take = () => {
        const now = Date.now();
        return leases.tryAcquire(claim, holder, new Date(now + WRITER_CLAIM_MS), new Date(now));
      };
      const giveUpAt = Date.now() + WRITER_CLAIM_MS + 1_000;
      while (!(await take())) {
        signal?.throwIfAborted();
        if (Date.now() > giveUpAt) throw new RegistryError('BLOB_UPLOAD_INVALID', 'another request is writing to this upload', { uploadId: id });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const renew = setInterval(() => void take().catch(() => undefined), WRITER_RENEW_MS);
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await leases.release(claim, holder).catch(() => undefined);
      }
    } finally {
      this.#busy.delete(id);
    }
  }
}

/**
 * The blob's link was refused after its bytes were committed: a collector took the
 * blob between the reserve and the link (possible only with a grace period shorter
 * than the upload's last step). The client retries and the upload starts afresh.
 */
function collectedMeanwhile(digest: Digest): RegistryError {
  return new RegistryError('TOOMANYREQUESTS', 'the blob was garbage-collected while the upload completed; retry the upload', { digest: digest.value }, { 'Retry-After': '1' });
}

/** The Range header value for an upload holding `offset` bytes (Distribution's convention: 0-0 when empty). */
export function rangeHeader(offset: number): string {
  return `0-${Math.max(offset - 1, 0)}`;
}
