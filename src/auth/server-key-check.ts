// Refuses a node whose server key is not the registry's. Access-key secrets are sealed
// under the server key; a node started with another key (a data directory of its own,
// a wrong BERTH_SERVER_KEY) would answer every login with "invalid credentials" and
// seal new keys nobody else can open. So the metadata store keeps one value sealed
// under the registry's key — the key check — and every start opens it first.
//
// The first start on a database claims the check with its key (one winner: nodes
// starting together all get the winner's value back and compare). A database from
// before the check has no value yet but may hold sealed secrets: one of them is opened
// first, so that the check is claimed with the key those secrets were sealed under.
import type { IdentityStore } from '../storage/meta/identity-store.ts';
import { openSecret, sealSecret } from './tokens/secret-box.ts';

const CHECK_TEXT = 'berth server key check v1';
/** How many users of the account a pre-check database is searched for a sealed secret. */
const USERS_SEARCHED = 100;

export class ServerKeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerKeyMismatchError';
  }
}

export interface ServerKeyCheckResult {
  /** True when this call stored the check (the first start on this database). */
  readonly claimed: boolean;
}

/**
 * Resolves when `serverKey` is the key of the registry in `identities`; throws
 * ServerKeyMismatchError otherwise. `keySource` names where the key came from and
 * `store` the database, for the message; neither the key nor the secrets appear in it.
 */
export async function checkServerKey(
  identities: IdentityStore,
  serverKey: Buffer,
  where: { readonly accountId: string; readonly keySource: string; readonly store: string },
): Promise<ServerKeyCheckResult> {
  const refuse = (what: string) =>
    new ServerKeyMismatchError(
      `the server key (${where.keySource}) is not the key of the registry in ${where.store}: it cannot open ${what}, sealed under another key. ` +
        'Every node of a registry must use the same server key: give each node the same serverKeyFile (BERTH_SERVER_KEY_FILE) or BERTH_SERVER_KEY, ' +
        "e.g. a copy of the first node's <dataDir>/server.key (see docs/config.md, \"Running several nodes\")",
    );
  const stored = await identities.keyCheck();
  if (stored !== undefined) {
    if (openSecret(stored, serverKey) !== CHECK_TEXT) throw refuse('the key check stored there');
    return { claimed: false };
  }
  const sealed = await anySealedSecret(identities, where.accountId);
  if (sealed !== undefined && openSecret(sealed.secret, serverKey) === undefined) throw refuse(`the secret of access key ${sealed.accessKeyId}`);
  const ours = sealSecret(CHECK_TEXT, serverKey);
  const claimed = await identities.claimKeyCheck(ours);
  // Another node may have claimed it between our read and our claim, with another key.
  if (openSecret(claimed, serverKey) !== CHECK_TEXT) throw refuse('the key check another node stored there as this one started');
  return { claimed: claimed.equals(ours) };
}

/** One access key's sealed secret among the account's first users, if any has a key. */
async function anySealedSecret(identities: IdentityStore, accountId: string): Promise<{ accessKeyId: string; secret: Buffer } | undefined> {
  for (const user of await identities.listUsers(accountId, { limit: USERS_SEARCHED })) {
    const [key] = await identities.listAccessKeys(accountId, user.userName);
    if (key) return { accessKeyId: key.accessKeyId, secret: key.sealedSecret };
  }
  return undefined;
}
