// The identity facts every authenticated request needs — the user behind an access
// key and that user's parsed inline policies — kept for a moment so that a pull
// of many blobs does not read and parse the same rows for each one. IAM changes
// made through this process clear the cache at once (forget()); other processes
// sharing the database see them within `ttlMs`, the same kind of short delay AWS
// documents for IAM changes.
import type { AccessKeyRecord, IdentityStore, UserRecord } from '../storage/meta/identity-store.ts';
import { TtlCache } from '../util/ttl-cache.ts';
import { parsePolicyDocument, type ParsedPolicy } from './policy/policy-document.ts';

export const DEFAULT_IDENTITY_CACHE_TTL_MS = 1_000;

export interface KeyOwner {
  readonly key: AccessKeyRecord;
  readonly user: UserRecord;
}

export class IdentityCache {
  readonly #identities: IdentityStore;
  readonly #owners: TtlCache<string, KeyOwner | null>;
  readonly #policies: TtlCache<string, readonly ParsedPolicy[]>;

  constructor(identities: IdentityStore, options: { ttlMs?: number } = {}) {
    const ttlMs = options.ttlMs ?? DEFAULT_IDENTITY_CACHE_TTL_MS;
    this.#identities = identities;
    this.#owners = new TtlCache({ ttlMs, maxEntries: 1_024 });
    this.#policies = new TtlCache({ ttlMs, maxEntries: 1_024 });
  }

  get store(): IdentityStore {
    return this.#identities;
  }

  /** The active key and its user, or undefined when the key is unknown, inactive or orphaned. */
  async activeKeyOwner(accessKeyId: string): Promise<KeyOwner | undefined> {
    const owner = await this.#owners.getOrLoad(accessKeyId, async () => {
      const key = await this.#identities.getAccessKey(accessKeyId);
      if (!key || key.status !== 'Active') return null;
      const user = await this.#identities.getUser(key.accountId, key.userName);
      return user ? { key, user } : null;
    });
    return owner ?? undefined;
  }

  /** The user's inline policies, parsed. A stored document that no longer parses grants nothing. */
  userPolicies(accountId: string, userName: string): Promise<readonly ParsedPolicy[]> {
    return this.#policies.getOrLoad(`${accountId}/${userName}`, async () => {
      const parsed: ParsedPolicy[] = [];
      for (const name of await this.#identities.listUserPolicies(accountId, userName)) {
        const stored = await this.#identities.getUserPolicy(accountId, userName, name);
        if (!stored) continue;
        try {
          parsed.push(parsePolicyDocument(stored.document, { kind: 'identity', name }));
        } catch {
          // grants nothing
        }
      }
      return parsed;
    });
  }

  /** Drops everything: called after an IAM change made through this process. */
  forget(): void {
    this.#owners.clear();
    this.#policies.clear();
  }
}
