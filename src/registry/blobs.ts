// Blob reads, deletes and cross-repository mounts. A repository sees a blob only
// through its link row; the bytes themselves are shared by digest.
import type { Readable } from 'node:stream';
import { RegistryError } from '../errors/registry-error.ts';
import type { Digest } from '../model/digest.ts';
import { BlobNotFoundError, type ByteRange, type RandomAccessBlob } from '../storage/blob/blob-store.ts';
import { accountSetting } from './account-settings.ts';
import type { RegistryContext } from './registry-context.ts';
import type { RepositoryCreation } from './repository-creation.ts';
import { TtlCache } from '../util/ttl-cache.ts';
import { PullThrottle } from './pull-throttle.ts';

/** How often a blob that clients keep asking about is touched, unless the registry is told (a tenth of GC's grace period). */
const DEFAULT_TOUCH_INTERVAL_MS = 60_000;

/** How long a redirect's presigned URL works: long enough to start a download, which then runs to its end. */
const REDIRECT_TTL_SECONDS = 20 * 60;
/**
 * How long one presigned URL is handed out again. Signing costs ~0.5 ms of CPU (the
 * AWS SDK's presigner), six times the rest of a redirect; a URL reused for its first
 * quarter still has 15 minutes left when a client gets it.
 */
const REDIRECT_REUSE_MS = 5 * 60_000;

export interface OpenedBlob {
  readonly size: number;
  readonly stream: Readable;
}

export class Blobs {
  readonly #context: RegistryContext;
  readonly #redirects = new TtlCache<string, string>({ ttlMs: REDIRECT_REUSE_MS, maxEntries: 10_000 });
  readonly #creation: RepositoryCreation;
  readonly #touches: PullThrottle;

  constructor(context: RegistryContext, creation: RepositoryCreation) {
    this.#context = context;
    this.#creation = creation;
    this.#touches = new PullThrottle(context.touchIntervalMs ?? DEFAULT_TOUCH_INTERVAL_MS);
  }

  /** Size of a blob linked into the repository; BLOB_UNKNOWN otherwise. */
  async size(repository: string, digest: Digest): Promise<number> {
    const size = await this.#context.metadata.blobs.linked(repository, digest.value);
    if (size === undefined) throw blobUnknown(digest);
    return size;
  }

  /**
   * Size of a blob linked into the repository, or undefined. A client told that a blob
   * exists will push a manifest over it without uploading it, so the blob is touched:
   * garbage collection then leaves it alone for a whole grace period (at most one write
   * per blob and touch interval, a tenth of the grace period).
   */
  async available(repository: string, digest: Digest): Promise<number | undefined> {
    const size = await this.#context.metadata.blobs.linked(repository, digest.value);
    if (size === undefined) return undefined;
    if (this.#touches.due(digest.value, Date.now()) && !(await this.#context.metadata.blobs.touch(digest.value, this.#context.now()))) {
      // A collector marked it after the look above: its bytes are going.
      return undefined;
    }
    return size;
  }

  /**
   * Finds content by digest for the blob endpoints. Manifests are content too: as in
   * Distribution, a manifest's digest can be fetched through /blobs/, which some
   * tools rely on; its bytes come from the metadata store.
   */
  async find(repository: string, digest: Digest): Promise<{ size: number; inline?: Buffer }> {
    const size = await this.available(repository, digest);
    if (size !== undefined) return { size };
    const manifest = await this.#context.metadata.manifests.get(repository, digest.value);
    if (manifest) return { size: manifest.size, inline: manifest.content };
    throw blobUnknown(digest);
  }

  async open(repository: string, digest: Digest, range?: ByteRange): Promise<Readable> {
    try {
      return await this.#context.blobs.read(digest, range);
    } catch (error) {
      // Linked but missing from the store: report it as unknown rather than fail the request.
      if (error instanceof BlobNotFoundError) throw blobUnknown(digest, repository);
      throw error;
    }
  }

  /** Positional access to the blob's bytes when the store offers it, else undefined (stream instead). */
  async openRandomAccess(repository: string, digest: Digest): Promise<RandomAccessBlob | undefined> {
    const store = this.#context.blobs;
    if (!store.openRandomAccess) return undefined;
    try {
      return await store.openRandomAccess(digest);
    } catch (error) {
      if (error instanceof BlobNotFoundError) throw blobUnknown(digest, repository);
      throw error;
    }
  }

  /**
   * A URL the client can fetch the blob's bytes from itself (a presigned S3 GET) when
   * the store serves clients directly; undefined when the registry streams them. The
   * caller has found the blob linked (`find`).
   */
  async redirectUrl(digest: Digest): Promise<string | undefined> {
    const store = this.#context.blobs;
    if (!store.capabilities.redirect || !store.presignedUrl) return undefined;
    const presign = store.presignedUrl.bind(store);
    return this.#redirects.getOrLoad(digest.value, () => presign(digest, REDIRECT_TTL_SECONDS));
  }

  async delete(repository: string, digest: Digest): Promise<void> {
    if (!(await this.#context.metadata.blobs.unlink(repository, digest.value))) throw blobUnknown(digest);
  }

  /**
   * Links an existing blob into `repository` without moving bytes. With `from`, the
   * blob must be in that repository; without it, anywhere in the registry will do.
   * Returns the size, or undefined when there is nothing to mount or the account
   * turned mounting off (BLOB_MOUNTING): the client then uploads the blob.
   */
  async mount(repository: string, digest: Digest, from: string | undefined): Promise<number | undefined> {
    if ((await accountSetting(this.#context.metadata.accountSettings, this.#context.accountId, 'BLOB_MOUNTING')) !== 'ENABLED') return undefined;
    const size =
      from === undefined
        ? await this.#context.metadata.blobs.anywhere(digest.value)
        : await this.#context.metadata.blobs.linked(from, digest.value);
    if (size === undefined) return undefined;
    if ((await this.#context.blobs.stat(digest)) === undefined) return undefined;
    await this.#creation.ensureForPush(repository);
    // Refused when a collector marked the blob since the look above: the client uploads it.
    if (!(await this.#context.metadata.blobs.link(repository, digest.value, size))) return undefined;
    return size;
  }
}

function blobUnknown(digest: Digest, repository?: string): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest: digest.value, ...(repository ? { repository } : {}) });
}
