// The identity facts every authenticated request needs: the user behind an access key
// and that user's inline policies. Rows are read fresh on every request, so a key that
// is deactivated or deleted — through this process, `berth admin` or another node —
// stops working at once; only the parsing of policy documents is remembered (by their
// text), because that is the part that costs.
import type { AccessKeyRecord, IdentityStore, UserRecord } from '../storage/meta/identity-store.ts';
import { TtlCache } from '../util/ttl-cache.ts';
import { parsePolicyDocument, type ParsedPolicy } from './policy/policy-document.ts';

export interface KeyOwner {
  readonly key: AccessKeyRecord;
  readonly user: UserRecord;
}

export class IdentityLookup {
  readonly #identities: IdentityStore;
  readonly #parsed = new TtlCache<string, ParsedPolicy | null>({ ttlMs: 10 * 60_000, maxEntries: 1_024 });

  constructor(identities: IdentityStore) {
    this.#identities = identities;
  }

  /** The active key and its user, or undefined when the key is unknown, inactive or orphaned. */
  async activeKeyOwner(accessKeyId: string): Promise<KeyOwner | undefined> {
    const key = await this.#identities.getAccessKey(accessKeyId);
    if (!key || key.status !== 'Active') return undefined;
    const user = await this.#identities.getUser(key.accountId, key.userName);
    return user ? { key, user } : undefined;
  }

  /** The user's inline policies, parsed. A stored document that no longer parses grants nothing. */
  async userPolicies(accountId: string, userName: string): Promise<readonly ParsedPolicy[]> {
    const parsed: ParsedPolicy[] = [];
    for (const name of await this.#identities.listUserPolicies(accountId, userName)) {
      const stored = await this.#identities.getUserPolicy(accountId, userName, name);
      if (!stored) continue;
      const cacheKey = `${name}\n${stored.document}`;
      let policy = this.#parsed.get(cacheKey);
      if (policy === undefined) {
        try {
          policy = parsePolicyDocument(stored.document, { kind: 'identity', name });
        } catch {
          policy = null; // grants nothing
        }
        this.#parsed.set(cacheKey, policy);
      }
      if (policy) parsed.push(policy);
    }
    return parsed;
  }
}
