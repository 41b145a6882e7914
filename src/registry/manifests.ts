// Manifest push, pull and delete, the referrers index, and pull times.
import { createHash } from 'node:crypto';
import { RegistryError } from '../errors/registry-error.ts';
import type { Digest } from '../model/digest.ts';
import type { Reference } from '../model/reference.ts';
import type { ManifestRecord, ReferrerRecord } from '../storage/meta/metadata-store.ts';
import { parseManifest } from './manifest-parser.ts';
import { isTagImmutable } from './tag-mutability.ts';
import { PullThrottle } from './pull-throttle.ts';
import type { PullTimeExclusions } from './pull-time-exclusions.ts';
import type { RegistryContext } from './registry-context.ts';
import type { RepositoryCreation } from './repository-creation.ts';

export interface PushedManifest {
  readonly digest: string;
  readonly subject?: string;
}

export class Manifests {
  readonly #context: RegistryContext;
  readonly #creation: RepositoryCreation;
  readonly #pulls = new PullThrottle();
  readonly #exclusions: PullTimeExclusions;

  constructor(context: RegistryContext, creation: RepositoryCreation, exclusions: PullTimeExclusions) {
    this.#context = context;
    this.#creation = creation;
    this.#exclusions = exclusions;
  }

  /** The digest a manifest will be stored under: sha256, or the algorithm of an expected digest. */
  digestOf(content: Buffer, expected?: string): string {
    const algorithm = expected?.startsWith('sha512:') ? 'sha512' : 'sha256';
    return `${algorithm}:${createHash(algorithm).update(content).digest('hex')}`;
  }

  async put(repository: string, reference: Reference, content: Buffer, contentType: string | undefined): Promise<PushedManifest> {
    const parsed = parseManifest(content, contentType);
    const digest = this.digestOf(content, reference.kind === 'digest' ? reference.digest.value : undefined);
    if (reference.kind === 'digest' && reference.digest.value !== digest) {
      throw new RegistryError('DIGEST_INVALID', 'manifest digest does not match the content', {
        expected: reference.digest.value,
        actual: digest,
      });
    }
    await this.#creation.ensureForPush(repository);
    const keepTag = reference.kind === 'tag' && (await this.#isTagImmutable(repository, reference.tag));
    const record: ManifestRecord = {
      repository,
      digest,
      mediaType: parsed.mediaType,
      size: content.length,
      content,
      pushedAt: this.#context.now(),
      ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
      ...(parsed.subject ? { subject: parsed.subject } : {}),
      ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
    };
    const result = await this.#context.metadata.manifests.put(
      record,
      { blobs: parsed.blobs, manifests: parsed.manifests },
      reference.kind === 'tag' ? reference.tag : undefined,
      { keepTag },
    );
    if (!result.ok && result.tagTakenBy !== undefined && reference.kind === 'tag') {
      throw new RegistryError(
        'TAG_IMMUTABLE',
        `The image tag '${reference.tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
        { tag: reference.tag },
      );
    }
    if (!result.ok) {
      const missing = [...result.missingBlobs, ...result.missingManifests];
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', 'manifest references a manifest or blob unknown to the repository', {
        missing,
      });
    }
    this.#context.usage?.pushed(repository, content.length);
    return { digest, ...(parsed.subject ? { subject: parsed.subject } : {}) };
  }

  async get(repository: string, reference: Reference): Promise<ManifestRecord> {
    const found =
      reference.kind === 'tag'
        ? await this.#context.metadata.manifests.getByTag(repository, reference.tag)
        : await this.#context.metadata.manifests.get(repository, reference.digest.value);
    if (found) return found;
    throw await this.#unknown(repository, reference);
  }

  /**
   * Notes that a client received the manifest (a GET, or ECR's BatchGetImage; not a
   * HEAD): a pull and the manifest's bytes for usage metering, and ECR's
   * lastRecordedPullTime. `puller` is the caller's principal ARN (none for an
   * anonymous pull): a principal on the pull time update exclusion list leaves the
   * time alone (the pull still counts). The time is throttled per image (see
   * PullThrottle) and queued in the usage meter, whose flush writes the queued times
   * in one batch: never a write per pull, never in the way of one.
   */
  notePull(manifest: ManifestRecord, puller?: string): void {
    this.#context.usage?.pulled(manifest.repository, manifest.size);
    if (puller !== undefined) {
      const excluded = this.#exclusions.excludes(puller);
      if (excluded === true) return;
      if (excluded === undefined) {
        // The list is being read again (every few seconds, for one pull): decide after.
        void this.#exclusions.settled().then(() => {
          if (this.#exclusions.excludes(puller) !== true) this.#recordPull(manifest);
        });
        return;
      }
    }
    this.#recordPull(manifest);
  }

  #recordPull(manifest: ManifestRecord): void {
    const now = this.#context.now();
    if (!this.#pulls.due(`${manifest.repository}@${manifest.digest}`, now.getTime())) return;
    this.#context.usage?.pullTime(manifest.repository, manifest.digest, now);
  }

  /**
   * ECR's lastRecordedPullTime of a manifest whose stored pull time is `stored`: a later
   * pull still queued in this process for the next batched write wins.
   */
  lastPullTime(repository: string, digest: string, stored: Date | undefined): Date | undefined {
    const pending = this.#context.usage?.pendingPullTime(repository, digest);
    return pending === undefined || (stored !== undefined && stored >= pending) ? stored : pending;
  }

  /** By digest: the manifest and its tags. By tag: only the tag. */
  async delete(repository: string, reference: Reference): Promise<void> {
    const deleted =
      reference.kind === 'tag'
        ? await this.#context.metadata.tags.delete(repository, reference.tag)
        : await this.#context.metadata.manifests.delete(repository, reference.digest.value);
    if (!deleted) throw await this.#unknown(repository, reference);
  }

  async referrers(repository: string, subject: Digest, artifactType?: string): Promise<ReferrerRecord[]> {
    const all = await this.#context.metadata.manifests.referrers(repository, subject.value);
    return artifactType === undefined ? all : all.filter((referrer) => referrer.artifactType === artifactType);
  }

  /**
   * ECR's immutability: an immutable tag may be pushed again only with the same
   * manifest. The store enforces it in the same step as the push (keepTag), so two
   * pushes racing for a free immutable tag, on one node or several, have one winner.
   */
  async #isTagImmutable(repository: string, tag: string): Promise<boolean> {
    const settings = (await this.#context.metadata.repositories.get(repository))?.settings;
    return settings !== undefined && isTagImmutable(settings, tag);
  }

  async #unknown(repository: string, reference: Reference): Promise<RegistryError> {
    if (!(await this.#context.metadata.repositories.exists(repository))) {
      return new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
    }
    const shown = reference.kind === 'tag' ? reference.tag : reference.digest.value;
    return new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { name: repository, reference: shown });
  }
}
