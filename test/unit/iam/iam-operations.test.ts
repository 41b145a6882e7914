// The Query adapter: what it reads from the form, where IAM defaults to the caller,
// and how the answers look as XML.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { toXml } from '../../../src/http/aws/query-protocol.ts';
import { encodeRfc3986, IAM_HANDLERS, IamError, iamResource, type IamContext } from '../../../src/iam/iam-operations.ts';
import { SqliteMetadataStore } from '../../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

let store: SqliteMetadataStore;
let context: IamContext;

beforeEach(async () => {
  store = SqliteMetadataStore.open({ path: ':memory:' });
  await store.identities.createUser({ accountId: '123456789012', userName: 'admin', userId: 'AIDAADMINADMINADMIN2', path: '/', createdAt: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)) });
  context = {
    identities: store.identities,
    principal: { accountId: '123456789012', userName: 'admin', userId: 'AIDAADMINADMINADMIN2', arn: 'arn:aws:iam::123456789012:user/admin', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
    serverKey: randomBytes(32),
    now: () => new Date(Date.UTC(2024, 5, 1)),
  };
});
afterEach(() => store.close());

function call(action: string, params: Record<string, string> = {}) {
  return IAM_HANDLERS.get(action)!(context, new URLSearchParams(params));
}

test('GetUser and the access-key actions default to the caller; the account is always the caller\'s', async () => {
  const me = (await call('GetUser')) as { User: { UserName: string; Arn: string } };
  assert.equal(me.User.UserName, 'admin');
  assert.equal(me.User.Arn, 'arn:aws:iam::123456789012:user/admin');
  const key = (await call('CreateAccessKey')) as { AccessKey: { UserName: string; AccessKeyId: string } };
  assert.equal(key.AccessKey.UserName, 'admin');
  const keys = (await call('ListAccessKeys')) as { AccessKeyMetadata: Array<{ AccessKeyId: string }> };
  assert.deepEqual(keys.AccessKeyMetadata.map((k) => k.AccessKeyId), [key.AccessKey.AccessKeyId]);
  await call('UpdateAccessKey', { AccessKeyId: key.AccessKey.AccessKeyId, Status: 'Inactive' });
  assert.equal((await store.identities.getAccessKey(key.AccessKey.AccessKeyId))?.status, 'Inactive');
  await call('DeleteAccessKey', { AccessKeyId: key.AccessKey.AccessKeyId });
  await store.identities.createUser({ accountId: '210987654321', userName: 'elsewhere', userId: 'AIDAOTHEROTHEROTHER2', path: '/', createdAt: new Date() });
  await assert.rejects(call('GetUser', { UserName: 'elsewhere' }), (error: unknown) => error instanceof IamError && error.code === 'NoSuchEntity');
});

test('members IAM requires are refused when absent, not defaulted', async () => {
  for (const [action, member] of [['CreateUser', 'userName'], ['DeleteUser', 'userName'], ['ListUserPolicies', 'userName'], ['GetUserPolicy', 'userName']] as const) {
    await assert.rejects(call(action), (error: unknown) => error instanceof IamError && error.code === 'ValidationError' && error.message.includes(`Value null at '${member}'`), action);
  }
  await assert.rejects(call('PutUserPolicy', { UserName: 'admin', PolicyName: 'p' }), /Value null at 'policyDocument'/);
});

test('MaxItems must be a whole number in 1..1000', async () => {
  for (const value of ['abc', '', '2.5']) {
    await assert.rejects(call('ListUsers', { MaxItems: value }), (error: unknown) => error instanceof IamError && error.code === 'ValidationError' && error.message.includes(`Value '${value}' at 'maxItems'`), value);
  }
  await assert.rejects(call('ListUsers', { MaxItems: '0' }), /greater than or equal to 1/);
  await assert.rejects(call('ListUserPolicies', { UserName: 'admin', MaxItems: '1001' }), /less than or equal to 1000/);
  await assert.rejects(call('ListAccessKeys', { Marker: 'bogus' }), (error: unknown) => error instanceof IamError && error.code === 'ValidationError' && error.message === 'Invalid Marker.');
});

test('ListUsers as XML: members, dates to the second, IsTruncated and a Marker only while truncated', async () => {
  await call('CreateUser', { UserName: 'zed', Path: '/x/' });
  const first = await call('ListUsers', { MaxItems: '1' });
  assert.match(
    toXml(first),
    /^<Users><member><Path>\/<\/Path><UserName>admin<\/UserName><UserId>AIDAADMINADMINADMIN2<\/UserId><Arn>arn:aws:iam::123456789012:user\/admin<\/Arn><CreateDate>2024-01-02T03:04:05Z<\/CreateDate><\/member><\/Users><IsTruncated>true<\/IsTruncated><Marker>[A-Za-z0-9_-]+<\/Marker>$/,
  );
  const second = await call('ListUsers', { MaxItems: '1', Marker: first.Marker as string });
  assert.equal(toXml(second), '<Users><member><Path>/x/</Path><UserName>zed</UserName><UserId>' + ((second.Users as Array<{ UserId: string }>)[0]!.UserId) + '</UserId><Arn>arn:aws:iam::123456789012:user/x/zed</Arn><CreateDate>2024-06-01T00:00:00Z</CreateDate></member></Users><IsTruncated>false</IsTruncated>');
  assert.equal(toXml(await call('ListUsers', { PathPrefix: '/nothing/' })), '<Users></Users><IsTruncated>false</IsTruncated>');
});

test('GetUserPolicy answers the document percent-encoded as RFC 3986 says', async () => {
  const document = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ecr:*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "it\'s (all) fine!"}}}}';
  await call('PutUserPolicy', { UserName: 'admin', PolicyName: 'all', PolicyDocument: document });
  const got = (await call('GetUserPolicy', { UserName: 'ADMIN', PolicyName: 'all' })) as { UserName: string; PolicyName: string; PolicyDocument: string };
  assert.equal(got.UserName, 'admin');
  assert.equal(got.PolicyName, 'all');
  assert.match(got.PolicyDocument, /^[A-Za-z0-9%._~-]+$/);
  assert.equal(decodeURIComponent(got.PolicyDocument), document);
  assert.equal(encodeRfc3986("a b*!'()~é"), 'a%20b%2A%21%27%28%29~%C3%A9');
});

test('iamResource names the user acted on (with its path), the user CreateUser will make, or the caller', async () => {
  await call('CreateUser', { UserName: 'bot', Path: '/bots/' });
  assert.equal(await iamResource(context, new URLSearchParams({ UserName: 'bot' })), 'arn:aws:iam::123456789012:user/bots/bot');
  assert.equal(await iamResource(context, new URLSearchParams({ UserName: 'ci' })), 'arn:aws:iam::123456789012:user/ci');
  assert.equal(await iamResource(context, new URLSearchParams({ UserName: 'new', Path: '/teams/a/' })), 'arn:aws:iam::123456789012:user/teams/a/new');
  assert.equal(await iamResource(context, new URLSearchParams()), 'arn:aws:iam::123456789012:user/admin');
});
