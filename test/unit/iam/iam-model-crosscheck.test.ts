// Compares the IAM Query handlers with the IAM model botocore ships, when one is
// installed (the AWS CLI brings it): the constraints we check, the members and types of
// every answer, and the code and status of every error we raise. The model is read at
// test time, never copied.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { botocoreModels, type BotocoreShape } from '../../helpers/botocore-models.ts';
import * as errors from '../../../src/iam/iam-errors.ts';
import * as inputs from '../../../src/iam/iam-input.ts';
import { IAM_HANDLERS, IamError, type IamContext } from '../../../src/iam/iam-operations.ts';
import { SqliteMetadataStore } from '../../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

interface Model {
  operations: Record<string, { output?: { shape: string; resultWrapper?: string }; errors?: Array<{ shape: string }> }>;
  shapes: Record<string, BotocoreShape>;
}

function findModel(): Model | undefined {
  return botocoreModels<Model>('iam', '2010-05-08')[0]?.model;
}

const model = findModel();
const skip = model ? false : 'no botocore IAM model installed (install the AWS CLI, or botocore for python3)';

let store: SqliteMetadataStore;
let context: IamContext;

before(async () => {
  store = SqliteMetadataStore.open({ path: ':memory:' });
  await store.identities.createUser({ accountId: '123456789012', userName: 'admin', userId: 'AIDAAAAAAAAAAAAAAAAA', path: '/', createdAt: new Date() });
  context = {
    identities: store.identities,
    principal: { accountId: '123456789012', userName: 'admin', userId: 'AIDAAAAAAAAAAAAAAAAA', arn: 'arn:aws:iam::123456789012:user/admin', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
    serverKey: randomBytes(32),
    now: () => new Date(),
  };
});
after(() => store.close());

test('the constraints we check are the model\'s', { skip }, () => {
  const shapes = model!.shapes;
  const pairs: Array<[inputs.StringConstraint, string]> = [
    [inputs.USER_NAME, 'userNameType'],
    [inputs.EXISTING_USER_NAME, 'existingUserNameType'],
    [inputs.POLICY_NAME, 'policyNameType'],
    [inputs.PATH, 'pathType'],
    [inputs.PATH_PREFIX, 'pathPrefixType'],
    [inputs.MARKER, 'markerType'],
    [inputs.ACCESS_KEY_ID, 'accessKeyIdType'],
    [inputs.POLICY_DOCUMENT, 'policyDocumentType'],
  ];
  for (const [ours, name] of pairs) {
    const shape = shapes[name]!;
    assert.deepEqual(ours, { min: shape.min, max: shape.max, pattern: shape.pattern }, name);
  }
  assert.deepEqual(inputs.MAX_ITEMS, { min: shapes.maxItemsType!.min, max: shapes.maxItemsType!.max });
  assert.deepEqual([...inputs.ACCESS_KEY_STATUSES], shapes.statusType!.enum);
});

test('every error we raise has the code and status of the model\'s exception', { skip }, () => {
  const raised: Array<[IamError, string]> = [
    [errors.noSuchUser('x'), 'NoSuchEntityException'],
    [errors.noSuchAccessKey('x'), 'NoSuchEntityException'],
    [errors.noSuchUserPolicy('x'), 'NoSuchEntityException'],
    [errors.userAlreadyExists('x'), 'EntityAlreadyExistsException'],
    [errors.deleteConflict('policies'), 'DeleteConflictException'],
    [errors.limitExceeded('x'), 'LimitExceededException'],
    [errors.malformedPolicyDocument('x'), 'MalformedPolicyDocumentException'],
    [errors.invalidInput('x'), 'InvalidInputException'],
  ];
  for (const [error, shape] of raised) {
    assert.deepEqual({ code: error.code, status: error.status }, { code: model!.shapes[shape]!.error!.code, status: model!.shapes[shape]!.error!.httpStatusCode }, shape);
  }
});

test('each operation only raises the exceptions the model lists for it (besides ValidationError)', { skip }, () => {
  const raises: Record<string, string[]> = {
    CreateUser: ['EntityAlreadyExistsException'],
    GetUser: ['NoSuchEntityException'],
    DeleteUser: ['NoSuchEntityException', 'DeleteConflictException'],
    CreateAccessKey: ['NoSuchEntityException', 'LimitExceededException'],
    ListAccessKeys: ['NoSuchEntityException'],
    UpdateAccessKey: ['NoSuchEntityException', 'InvalidInputException'],
    DeleteAccessKey: ['NoSuchEntityException'],
    PutUserPolicy: ['NoSuchEntityException', 'MalformedPolicyDocumentException', 'LimitExceededException'],
    GetUserPolicy: ['NoSuchEntityException'],
    ListUserPolicies: ['NoSuchEntityException'],
    DeleteUserPolicy: ['NoSuchEntityException'],
    ListUsers: [],
  };
  assert.deepEqual(Object.keys(raises).sort(), [...IAM_HANDLERS.keys()].sort());
  for (const [operation, shapes] of Object.entries(raises)) {
    const listed = (model!.operations[operation]!.errors ?? []).map((error) => error.shape);
    for (const shape of shapes) assert.ok(listed.includes(shape), `${operation} ${shape}`);
  }
});

/** Checks a result against the model shape: known members only, the right kinds, required ones present. */
function conforms(value: unknown, shapeName: string, path: string): void {
  const shape = model!.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure': {
      assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date), `${path} is a structure`);
      const members = value as Record<string, unknown>;
      for (const name of Object.keys(members)) {
        assert.ok(shape.members && Object.hasOwn(shape.members, name), `${path}.${name} is a member of ${shapeName}`);
        conforms(members[name], shape.members[name]!.shape, `${path}.${name}`);
      }
      for (const name of shape.required ?? []) assert.ok(Object.hasOwn(members, name), `${path}.${name} is required`);
      return;
    }
    case 'list':
      assert.ok(Array.isArray(value), `${path} is a list`);
      value.forEach((item, index) => conforms(item, shape.member!.shape, `${path}[${index}]`));
      return;
    case 'timestamp':
      assert.ok(value instanceof Date, `${path} is a timestamp`);
      return;
    case 'boolean':
      assert.equal(typeof value, 'boolean', path);
      return;
    case 'string':
      assert.equal(typeof value, 'string', path);
      if (shape.enum) assert.ok(shape.enum.includes(value as string), `${path} in ${shape.enum.join(',')}`);
      return;
    default:
      assert.fail(`${path}: unexpected model type ${shape.type}`);
  }
}

async function call(action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const handler = IAM_HANDLERS.get(action)!;
  const result = await handler(context, new URLSearchParams(params));
  const output = model!.operations[action]!.output;
  if (output) conforms(result, output.shape, action);
  else assert.deepEqual(result, {}, `${action} answers no members`);
  return result as Record<string, unknown>;
}

test('every answer has the members the model names, of the model\'s types', { skip }, async () => {
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] });
  await call('CreateUser', { UserName: 'ci', Path: '/bots/' });
  await call('CreateUser', { UserName: 'dev' });
  await call('GetUser', { UserName: 'ci' });
  await call('GetUser', {});
  const firstPage = await call('ListUsers', { MaxItems: '1' });
  assert.equal(firstPage.IsTruncated, true);
  assert.equal(typeof firstPage.Marker, 'string');
  const lastPage = await call('ListUsers', { Marker: firstPage.Marker as string, MaxItems: '10' });
  assert.equal(lastPage.IsTruncated, false);
  assert.equal(Object.hasOwn(lastPage, 'Marker'), false, 'no Marker on the last page');
  await call('ListUsers', { PathPrefix: '/bots/' });
  const created = await call('CreateAccessKey', { UserName: 'ci' });
  await call('CreateAccessKey', {});
  const keyId = (created.AccessKey as { AccessKeyId: string }).AccessKeyId;
  await call('ListAccessKeys', { UserName: 'ci' });
  await call('ListAccessKeys', {});
  await call('UpdateAccessKey', { UserName: 'ci', AccessKeyId: keyId, Status: 'Inactive' });
  await call('PutUserPolicy', { UserName: 'ci', PolicyName: 'ecr', PolicyDocument: policy });
  const got = await call('GetUserPolicy', { UserName: 'ci', PolicyName: 'ecr' });
  assert.equal(decodeURIComponent(got.PolicyDocument as string), policy);
  await call('ListUserPolicies', { UserName: 'ci' });
  await call('DeleteUserPolicy', { UserName: 'ci', PolicyName: 'ecr' });
  await call('DeleteAccessKey', { UserName: 'ci', AccessKeyId: keyId });
  await call('DeleteUser', { UserName: 'dev' });
});
