// The IAM use cases over a real (in-memory) SQLite identity store: the rules both the
// Query API and `berth admin` rely on.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSecret } from '../../../src/auth/tokens/secret-box.ts';
import { createAccessKey, deleteAccessKey, listAccessKeys, MAX_ACCESS_KEYS_PER_USER, updateAccessKey } from '../../../src/iam/iam-access-keys.ts';
import { IamError } from '../../../src/iam/iam-errors.ts';
import { decodeMarker } from '../../../src/iam/iam-pagination.ts';
import { deleteUserPolicy, getUserPolicy, listUserPolicies, putUserPolicy } from '../../../src/iam/iam-user-policies.ts';
import { createUser, deleteUser, getUser, listUsers, type IamStores } from '../../../src/iam/iam-users.ts';
import { SqliteMetadataStore } from '../../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const ALLOW_DESCRIBE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: '*' }] });

let store: SqliteMetadataStore;
let stores: IamStores;
let clock: number;

beforeEach(() => {
  store = SqliteMetadataStore.open({ path: ':memory:' });
  clock = Date.UTC(2024, 0, 1);
  stores = { identities: store.identities, serverKey: randomBytes(32), now: () => new Date((clock += 1000)) };
});
afterEach(() => store.close());

async function refused(promise: Promise<unknown>, code: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IamError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('createUser: an AIDA id, path "/" by default, the time of creation', async () => {
  const user = await createUser(stores, { accountId: ACCOUNT, userName: 'ci-bot' });
  assert.match(user.userId, /^AIDA[A-Z2-7]{16}$/);
  assert.equal(user.path, '/');
  assert.equal(user.createdAt.getTime(), Date.UTC(2024, 0, 1, 0, 0, 1));
  const withPath = await createUser(stores, { accountId: ACCOUNT, userName: 'deployer', path: '/ci/' });
  assert.equal(withPath.path, '/ci/');
  assert.deepEqual(await getUser(stores, { accountId: ACCOUNT, userName: 'deployer' }), withPath);
});

test('createUser: names are unique per account regardless of case, and checked', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'ci-bot' });
  await refused(createUser(stores, { accountId: ACCOUNT, userName: 'CI-Bot' }), 'EntityAlreadyExists', 409, /^User with name CI-Bot already exists\.$/);
  await createUser(stores, { accountId: OTHER, userName: 'ci-bot' });
  await refused(createUser(stores, { accountId: ACCOUNT, userName: 'ci bot' }), 'ValidationError', 400, /at 'userName'/);
  await refused(createUser(stores, { accountId: ACCOUNT, userName: undefined }), 'ValidationError', 400, /Value null at 'userName'/);
  await refused(createUser(stores, { accountId: ACCOUNT, userName: 'x'.repeat(65) }), 'ValidationError', 400, /less than or equal to 64/);
});

test('getUser: an unknown user is NoSuchEntity; lookups ignore case', async () => {
  await refused(getUser(stores, { accountId: ACCOUNT, userName: 'nobody' }), 'NoSuchEntity', 404, /^The user with name nobody cannot be found\.$/);
  await createUser(stores, { accountId: ACCOUNT, userName: 'Alice' });
  assert.equal((await getUser(stores, { accountId: ACCOUNT, userName: 'alice' })).userName, 'Alice');
  await refused(getUser(stores, { accountId: OTHER, userName: 'Alice' }), 'NoSuchEntity', 404);
});

test('listUsers: by name, a page at a time, each marker going on after the last user', async () => {
  for (const name of ['erin', 'Bob', 'alice', 'dave', 'Carol']) await createUser(stores, { accountId: ACCOUNT, userName: name });
  await createUser(stores, { accountId: OTHER, userName: 'mallory' });
  const all = await listUsers(stores, { accountId: ACCOUNT });
  assert.deepEqual(all.items.map((user) => user.userName), ['alice', 'Bob', 'Carol', 'dave', 'erin']);
  assert.equal(all.isTruncated, false);
  assert.equal(all.marker, undefined);

  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await listUsers(stores, { accountId: ACCOUNT, maxItems: 2, marker });
    assert.ok(page.items.length <= 2);
    names.push(...page.items.map((user) => user.userName));
    assert.equal(page.isTruncated, page.marker !== undefined);
    marker = page.marker;
  } while (marker);
  assert.deepEqual(names, ['alice', 'Bob', 'Carol', 'dave', 'erin']);
});

test('listUsers: exactly a page full is not truncated', async () => {
  for (const name of ['a', 'b']) await createUser(stores, { accountId: ACCOUNT, userName: name });
  const page = await listUsers(stores, { accountId: ACCOUNT, maxItems: 2 });
  assert.equal(page.isTruncated, false);
  assert.equal(page.marker, undefined);
});

test('listUsers: PathPrefix filters, and pages skip the users it leaves out', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'a', path: '/ci/' });
  for (const name of ['b', 'c', 'd', 'e']) await createUser(stores, { accountId: ACCOUNT, userName: name });
  await createUser(stores, { accountId: ACCOUNT, userName: 'f', path: '/ci/deploy/' });
  await createUser(stores, { accountId: ACCOUNT, userName: 'g', path: '/cidr/' });
  const first = await listUsers(stores, { accountId: ACCOUNT, pathPrefix: '/ci/', maxItems: 1 });
  assert.deepEqual(first.items.map((user) => user.userName), ['a']);
  assert.equal(first.isTruncated, true);
  assert.equal(decodeMarker('users', first.marker!), 'a');
  const second = await listUsers(stores, { accountId: ACCOUNT, pathPrefix: '/ci/', maxItems: 1, marker: first.marker });
  assert.deepEqual(second.items.map((user) => user.userName), ['f']);
  assert.equal(second.isTruncated, false);
  assert.deepEqual((await listUsers(stores, { accountId: ACCOUNT, pathPrefix: '/ci' })).items.map((user) => user.userName), ['a', 'f', 'g']);
});

test('listUsers: bad MaxItems, PathPrefix and markers are ValidationErrors', async () => {
  await refused(listUsers(stores, { accountId: ACCOUNT, maxItems: 0 }), 'ValidationError', 400, /Value '0' at 'maxItems'.*greater than or equal to 1/);
  await refused(listUsers(stores, { accountId: ACCOUNT, maxItems: 1001 }), 'ValidationError', 400, /less than or equal to 1000/);
  await refused(listUsers(stores, { accountId: ACCOUNT, pathPrefix: 'ci/' }), 'ValidationError', 400, /at 'pathPrefix'/);
  await refused(listUsers(stores, { accountId: ACCOUNT, marker: 'not-a-marker' }), 'ValidationError', 400, /^Invalid Marker\.$/);
  await createUser(stores, { accountId: ACCOUNT, userName: 'a' });
  await createUser(stores, { accountId: ACCOUNT, userName: 'b' });
  await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'a', policyName: 'p1', policyDocument: ALLOW_DESCRIBE });
  await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'a', policyName: 'p2', policyDocument: ALLOW_DESCRIBE });
  const policies = await listUserPolicies(stores, { accountId: ACCOUNT, userName: 'a', maxItems: 1 });
  await refused(listUsers(stores, { accountId: ACCOUNT, marker: policies.marker }), 'ValidationError', 400, /^Invalid Marker\.$/);
});

test('deleteUser: refused while keys or policies remain (DeleteConflict), then done', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'ci' });
  const { key } = await createAccessKey(stores, { accountId: ACCOUNT, userName: 'ci' });
  await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'describe', policyDocument: ALLOW_DESCRIBE });
  await refused(deleteUser(stores, { accountId: ACCOUNT, userName: 'ci' }), 'DeleteConflict', 409, /^Cannot delete entity, must delete access keys first\.$/);
  await deleteAccessKey(stores, { accountId: ACCOUNT, userName: 'ci', accessKeyId: key.accessKeyId });
  await refused(deleteUser(stores, { accountId: ACCOUNT, userName: 'ci' }), 'DeleteConflict', 409, /^Cannot delete entity, must delete policies first\.$/);
  await deleteUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'describe' });
  await deleteUser(stores, { accountId: ACCOUNT, userName: 'CI' });
  await refused(getUser(stores, { accountId: ACCOUNT, userName: 'ci' }), 'NoSuchEntity', 404);
  await refused(deleteUser(stores, { accountId: ACCOUNT, userName: 'ci' }), 'NoSuchEntity', 404);
});

test('createAccessKey: an AKIA id, Active, the secret sealed with the server key; at most two per user', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'ci' });
  const created = await createAccessKey(stores, { accountId: ACCOUNT, userName: 'CI' });
  assert.match(created.key.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
  assert.equal(created.key.status, 'Active');
  assert.equal(created.key.userName, 'ci', 'the user\'s own spelling');
  assert.equal(created.secretAccessKey.length, 40);
  const stored = await store.identities.getAccessKey(created.key.accessKeyId);
  assert.ok(stored && !stored.sealedSecret.toString('latin1').includes(created.secretAccessKey), 'the store never sees the secret');
  assert.equal(openSecret(stored.sealedSecret, stores.serverKey), created.secretAccessKey);
  await createAccessKey(stores, { accountId: ACCOUNT, userName: 'ci' });
  assert.equal(MAX_ACCESS_KEYS_PER_USER, 2);
  await refused(createAccessKey(stores, { accountId: ACCOUNT, userName: 'ci' }), 'LimitExceeded', 409, /^Cannot exceed quota for AccessKeysPerUser: 2$/);
  await refused(createAccessKey(stores, { accountId: ACCOUNT, userName: 'nobody' }), 'NoSuchEntity', 404);
});

test('listAccessKeys: oldest first, paged', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'ci' });
  const first = await createAccessKey(stores, { accountId: ACCOUNT, userName: 'ci' });
  const second = await createAccessKey(stores, { accountId: ACCOUNT, userName: 'ci' });
  const all = await listAccessKeys(stores, { accountId: ACCOUNT, userName: 'ci' });
  assert.deepEqual(all.items.map((key) => key.accessKeyId), [first.key.accessKeyId, second.key.accessKeyId]);
  const page = await listAccessKeys(stores, { accountId: ACCOUNT, userName: 'ci', maxItems: 1 });
  assert.deepEqual(page.items.map((key) => key.accessKeyId), [first.key.accessKeyId]);
  assert.equal(page.isTruncated, true);
  const rest = await listAccessKeys(stores, { accountId: ACCOUNT, userName: 'ci', maxItems: 1, marker: page.marker });
  assert.deepEqual(rest.items.map((key) => key.accessKeyId), [second.key.accessKeyId]);
  assert.equal(rest.isTruncated, false);
  await refused(listAccessKeys(stores, { accountId: ACCOUNT, userName: 'nobody' }), 'NoSuchEntity', 404);
});

test('updateAccessKey: Active and Inactive only, on the named user\'s own keys', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'ci' });
  await createUser(stores, { accountId: ACCOUNT, userName: 'other' });
  const { key } = await createAccessKey(stores, { accountId: ACCOUNT, userName: 'ci' });
  await updateAccessKey(stores, { accountId: ACCOUNT, userName: 'ci', accessKeyId: key.accessKeyId, status: 'Inactive' });
  assert.equal((await store.identities.getAccessKey(key.accessKeyId))?.status, 'Inactive');
  await refused(updateAccessKey(stores, { accountId: ACCOUNT, userName: 'ci', accessKeyId: key.accessKeyId, status: 'Expired' }), 'InvalidInput', 400);
  await refused(updateAccessKey(stores, { accountId: ACCOUNT, userName: 'ci', accessKeyId: key.accessKeyId, status: 'off' }), 'ValidationError', 400, /enum value set: \[Active, Inactive, Expired\]/);
  await refused(updateAccessKey(stores, { accountId: ACCOUNT, userName: 'ci', accessKeyId: key.accessKeyId, status: undefined }), 'ValidationError', 400, /Value null at 'status'/);
  await refused(
    updateAccessKey(stores, { accountId: ACCOUNT, userName: 'other', accessKeyId: key.accessKeyId, status: 'Active' }),
    'NoSuchEntity',
    404,
    new RegExp(`^The Access Key with id ${key.accessKeyId} cannot be found\\.$`),
  );
  await refused(updateAccessKey(stores, { accountId: ACCOUNT, userName: 'ci', accessKeyId: 'short', status: 'Active' }), 'ValidationError', 400, /at 'accessKeyId'/);
  await refused(deleteAccessKey(stores, { accountId: ACCOUNT, userName: 'other', accessKeyId: key.accessKeyId }), 'NoSuchEntity', 404);
  await deleteAccessKey(stores, { accountId: ACCOUNT, userName: 'ci', accessKeyId: key.accessKeyId });
  await refused(deleteAccessKey(stores, { accountId: ACCOUNT, userName: 'ci', accessKeyId: key.accessKeyId }), 'NoSuchEntity', 404);
});

test('putUserPolicy: the document is kept as put, replaced by name, and checked', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'ci' });
  const pretty = JSON.stringify(JSON.parse(ALLOW_DESCRIBE), null, 2);
  await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'describe', policyDocument: pretty });
  assert.deepEqual(await getUserPolicy(stores, { accountId: ACCOUNT, userName: 'CI', policyName: 'describe' }), { accountId: ACCOUNT, userName: 'ci', policyName: 'describe', document: pretty });
  await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'describe', policyDocument: ALLOW_DESCRIBE });
  assert.equal((await getUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'describe' })).document, ALLOW_DESCRIBE);
  await refused(
    putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'bad', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}' }),
    'MalformedPolicyDocument',
    400,
  );
  await refused(putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'bad', policyDocument: 'not json' }), 'MalformedPolicyDocument', 400);
  await refused(putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'bad', policyDocument: '' }), 'ValidationError', 400, /at 'policyDocument'/);
  await refused(putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'a/b', policyDocument: ALLOW_DESCRIBE }), 'ValidationError', 400, /at 'policyName'/);
  await refused(putUserPolicy(stores, { accountId: ACCOUNT, userName: 'nobody', policyName: 'p', policyDocument: ALLOW_DESCRIBE }), 'NoSuchEntity', 404);
});

test('putUserPolicy: a user\'s inline policies hold at most 2,048 characters besides white space', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'ci' });
  const statement = (index: number) => ({ Sid: `S${index}`, Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team-${index}/*` });
  const document = (count: number, indent = 0) => JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: count }, (_, i) => statement(i)) }, null, indent);
  const half = document(7);
  assert.ok(half.length > 900 && half.length < 1024, String(half.length));
  // White space does not count: the pretty form of the same policy fits as well.
  await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'one', policyDocument: document(7, 4) });
  await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'two', policyDocument: half });
  // Replacing a policy counts its new text, not both.
  await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'two', policyDocument: half });
  await refused(putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'three', policyDocument: document(2) }), 'LimitExceeded', 409, /^Maximum policy size of 2048 bytes exceeded for user ci$/);
});

test('listUserPolicies and deleteUserPolicy', async () => {
  await createUser(stores, { accountId: ACCOUNT, userName: 'ci' });
  assert.deepEqual(await listUserPolicies(stores, { accountId: ACCOUNT, userName: 'ci' }), { items: [], isTruncated: false });
  for (const name of ['push', 'describe', 'pull']) await putUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: name, policyDocument: ALLOW_DESCRIBE });
  const first = await listUserPolicies(stores, { accountId: ACCOUNT, userName: 'ci', maxItems: 2 });
  assert.deepEqual(first.items, ['describe', 'pull']);
  assert.equal(first.isTruncated, true);
  assert.deepEqual((await listUserPolicies(stores, { accountId: ACCOUNT, userName: 'ci', marker: first.marker })).items, ['push']);
  await deleteUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'pull' });
  await refused(deleteUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'pull' }), 'NoSuchEntity', 404, /^The user policy with name pull cannot be found\.$/);
  await refused(getUserPolicy(stores, { accountId: ACCOUNT, userName: 'ci', policyName: 'pull' }), 'NoSuchEntity', 404);
  await refused(listUserPolicies(stores, { accountId: ACCOUNT, userName: 'nobody' }), 'NoSuchEntity', 404);
});
