import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ServerKeyMismatchError, checkServerKey } from '../../../src/auth/server-key-check.ts';
import { sealSecret } from '../../../src/auth/tokens/secret-box.ts';
import { ensureAdministrator } from '../../../src/auth/bootstrap.ts';
import { SqliteMetadataStore } from '../../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

const ACCOUNT = '123456789012';
const where = { accountId: ACCOUNT, keySource: 'from environment variable BERTH_SERVER_KEY', store: '/srv/berth/berth.db' };

function openStore(t: { after: (fn: () => Promise<void>) => void }): SqliteMetadataStore {
  const store = SqliteMetadataStore.open({ path: ':memory:' });
  t.after(() => store.close());
  return store;
}

function refusal(key: Buffer, what: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ServerKeyMismatchError, String(error));
    assert.match(error.message, /^the server key \(from environment variable BERTH_SERVER_KEY\) is not the key of the registry in \/srv\/berth\/berth\.db: it cannot open /);
    assert.match(error.message, what);
    assert.match(error.message, /give each node the same serverKeyFile \(BERTH_SERVER_KEY_FILE\) or BERTH_SERVER_KEY/);
    for (const shown of [key.toString('base64'), key.toString('hex')]) assert.equal(error.message.includes(shown), false, 'the key is not shown');
    return true;
  };
}

test('the first start claims the check; the same key passes afterwards, another key is refused', async (t) => {
  const store = openStore(t);
  const key = randomBytes(32);
  assert.deepEqual(await checkServerKey(store.identities, key, where), { claimed: true });
  assert.deepEqual(await checkServerKey(store.identities, key, where), { claimed: false });
  const other = randomBytes(32);
  await assert.rejects(checkServerKey(store.identities, other, where), refusal(other, /cannot open the key check stored there, sealed under another key/));
});

test('a database from before the check: a key that cannot open its secrets is refused and claims nothing; the right key claims it', async (t) => {
  const store = openStore(t);
  const key = randomBytes(32);
  const credentials = await ensureAdministrator(store.identities, key, ACCOUNT, new Date());
  assert.ok(credentials);
  const other = randomBytes(32);
  await assert.rejects(
    checkServerKey(store.identities, other, where),
    refusal(other, new RegExp(`cannot open the secret of access key ${credentials.accessKeyId}, sealed under another key`)),
  );
  assert.equal(await store.identities.keyCheck(), undefined, 'the wrong key claimed nothing');
  assert.deepEqual(await checkServerKey(store.identities, key, where), { claimed: true });
  await assert.rejects(checkServerKey(store.identities, other, where), ServerKeyMismatchError);
});

test('nodes with different keys starting at once on an empty database: exactly one is admitted', async () => {
  for (let round = 0; round < 20; round++) {
    const store = SqliteMetadataStore.open({ path: ':memory:' });
    try {
      const keys = [randomBytes(32), randomBytes(32), randomBytes(32)];
      const results = await Promise.allSettled(keys.map((key) => checkServerKey(store.identities, key, where)));
      const admitted = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
      assert.equal(admitted.length, 1, `round ${round}: ${results.map((result) => result.status).join(', ')}`);
      for (const result of results) if (result.status === 'rejected') assert.ok(result.reason instanceof ServerKeyMismatchError);
      assert.deepEqual(await checkServerKey(store.identities, keys[admitted[0]!]!, where), { claimed: false }, 'the admitted key is the registry key');
    } finally {
      await store.close();
    }
  }
});

test('a check value that is not a sealed box at all is a refusal, not a crash', async (t) => {
  const store = openStore(t);
  await store.identities.claimKeyCheck(Buffer.from('garbage'));
  const key = randomBytes(32);
  await assert.rejects(checkServerKey(store.identities, key, where), ServerKeyMismatchError);
  // A box sealed under the right key with another text is not the check either.
  const tampered = SqliteMetadataStore.open({ path: ':memory:' });
  t.after(() => tampered.close());
  await tampered.identities.claimKeyCheck(sealSecret('something else', key));
  await assert.rejects(checkServerKey(tampered.identities, key, where), ServerKeyMismatchError);
});
