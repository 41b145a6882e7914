// The BlobStore port: a content-addressed byte store plus staging areas for
// uploads in progress. It knows digests and upload ids, never repositories,
// manifests or HTTP. Every driver (fs, s3) passes the contract suite in
// test/conformance/blob-store.suite.ts.
import type { Readable } from 'node:stream';
import type { Digest } from '../../model/digest.ts';

export interface BlobStat {
  readonly size: number;
  readonly modifiedAt: Date;
}

/** Inclusive byte range, as HTTP Range expresses it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface StoredBlob {
  readonly digest: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

export interface StagedUpload {
  readonly id: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

/** Positional reads of one blob, for drivers that keep blobs in local files. */
export interface RandomAccessBlob {
  /** Reads up to `length` bytes at `position` into `target`; resolves with the count (0 at the end). */
  read(target: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface BlobStoreCapabilities {
  /**
   * Blob GETs should be answered with a redirect to `presignedUrl` (an S3 presigned
   * GET) instead of streaming the bytes through the registry.
   */
  readonly redirect: boolean;
}

export interface OperationOptions {
  readonly signal?: AbortSignal;
}

export interface AppendOptions extends OperationOptions {
  /**
   * How many bytes the client declared this append carries (Content-Length or
   * Content-Range), when it did. A hint for sizing storage pieces, never trusted
   * as the count: appendUpload reports what it actually wrote.
   */
  readonly declaredLength?: number | undefined;
}

export interface BlobStore {
  readonly name: string;
  readonly capabilities: BlobStoreCapabilities;

  stat(digest: Digest): Promise<BlobStat | undefined>;
  /** Streams the blob (or a range of it). Throws BlobNotFoundError when absent. */
  read(digest: Digest, range?: ByteRange): Promise<Readable>;
  /**
   * Optional capability: positional reads into the caller's buffers. Serving a large
   * blob this way reuses two buffers instead of allocating one per chunk, which on a
   * multi-GiB pull saves a third of the server's CPU (garbage collection of
   * external memory). Throws BlobNotFoundError when absent.
   */
  openRandomAccess?(digest: Digest): Promise<RandomAccessBlob>;
  /**
   * Optional capability: a URL from which anyone may GET the blob's bytes (ranges
   * included) for `ttlSeconds`, for stores that serve clients directly. It is made
   * without asking the store whether the blob is there.
   */
  presignedUrl?(digest: Digest, ttlSeconds: number): Promise<string>;
  /** Removes the blob; false when it was not there. Deleting twice is fine. */
  delete(digest: Digest): Promise<boolean>;
  list(options?: OperationOptions): AsyncIterable<StoredBlob>;

  /** Creates an empty staging area for an upload. */
  createUpload(id: string): Promise<void>;
  /**
   * Writes `source` into the staging area starting at `offset`, discarding anything
   * staged past `offset` first (a chunk that failed half way leaves no trace).
   * Resolves with the number of bytes written. Throws UploadNotFoundError.
   */
  appendUpload(id: string, offset: number, source: Readable, options?: AppendOptions): Promise<number>;
  /** Streams the first `length` staged bytes, to re-hash an upload another process started. */
  readUpload(id: string, length: number): Promise<Readable>;
  /**
   * Makes the first `length` staged bytes the blob `digest`, atomically: readers see
   * either nothing or the whole blob. The caller has verified the digest. When the
   * blob already exists the staged bytes are simply dropped.
   */
  commitUpload(id: string, length: number, digest: Digest): Promise<void>;
  /** Drops a staging area; idempotent. */
  deleteUpload(id: string): Promise<void>;
  listUploads(options?: OperationOptions): AsyncIterable<StagedUpload>;

  close(): Promise<void>;
}

/** Driver facts, reported with the driver's name and the key; the registry decides what they mean. */
export class BlobNotFoundError extends Error {
  readonly key: string;
  constructor(driver: string, key: string) {
    super(`${driver}: blob not found: ${key}`);
    this.name = 'BlobNotFoundError';
    this.key = key;
  }
}

export class UploadNotFoundError extends Error {
  readonly id: string;
  constructor(driver: string, id: string) {
    super(`${driver}: upload not found: ${id}`);
    this.name = 'UploadNotFoundError';
    this.id = id;
  }
}

export class InvalidOffsetError extends Error {
  constructor(driver: string, id: string, offset: number, size: number) {
    super(`${driver}: upload ${id}: offset ${offset} is past the staged size ${size}`);
    this.name = 'InvalidOffsetError';
  }
}

/** The store the configuration names cannot be used (a bucket that is missing or refused): a start-up problem. */
export class BlobStoreUnavailableError extends Error {
  constructor(driver: string, reason: string, options?: ErrorOptions) {
    super(`${driver}: ${reason}`, options);
    this.name = 'BlobStoreUnavailableError';
  }
}
