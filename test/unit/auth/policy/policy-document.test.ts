import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyDocumentError, parsePolicyDocument, type PolicyKind } from '../../../../src/auth/policy/policy-document.ts';

const ALLOW_PULL = { Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'ecr:BatchGetImage' };
const IDENTITY_STATEMENT = { Effect: 'Allow', Action: 'ecr:*', Resource: '*' };

function doc(statement: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statement, ...extra });
}

function rejects(text: string, kind: PolicyKind, pattern: RegExp, maxLength?: number): void {
  assert.throws(
    () => parsePolicyDocument(text, { kind, ...(maxLength === undefined ? {} : { maxLength }) }),
    (error: unknown) => {
      assert.ok(error instanceof PolicyDocumentError, `expected PolicyDocumentError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

const INVALID: Array<[string, string, PolicyKind, RegExp]> = [
  ['malformed JSON', '{"Version": "2012-10-17", "Statement": [', 'resource', /not valid JSON/],
  ['empty text', '   ', 'resource', /empty/],
  ['top-level array', '[]', 'resource', /must be a JSON object/],
  ['unknown top-level key', doc([ALLOW_PULL], { Statements: [] }), 'resource', /Unknown field 'Statements'/],
  ['bad Version', JSON.stringify({ Version: '2020-01-01', Statement: [ALLOW_PULL] }), 'resource', /Invalid Version "2020-01-01"/],
  ['numeric Version', JSON.stringify({ Version: 2012, Statement: [ALLOW_PULL] }), 'resource', /Invalid Version 2012/],
  ['missing Statement', JSON.stringify({ Version: '2012-10-17' }), 'resource', /Missing required field Statement/],
  ['empty Statement list', doc([]), 'resource', /at least one statement/],
  ['statement is a string', doc(['Allow']), 'resource', /Statement 0: each statement must be a JSON object/],
  ['unknown statement key', doc([{ ...ALLOW_PULL, Actions: 'ecr:*' }]), 'resource', /Statement 0: unknown field 'Actions'/],
  ['lower-case effect', doc([{ ...ALLOW_PULL, Effect: 'allow' }]), 'resource', /Effect must be "Allow" or "Deny"; got "allow"/],
  ['missing Effect', doc([{ Principal: '*', Action: 'ecr:*' }]), 'resource', /Missing required field Effect/],
  ['Action and NotAction', doc([{ ...ALLOW_PULL, NotAction: 'ecr:PutImage' }]), 'resource', /both Action and NotAction/],
  ['neither Action nor NotAction', doc([{ Effect: 'Allow', Principal: '*' }]), 'resource', /Missing required field Action/],
  ['empty Action list', doc([{ ...ALLOW_PULL, Action: [] }]), 'resource', /Action must not be an empty list/],
  ['action without vendor', doc([{ ...ALLOW_PULL, Action: 'BatchGetImage' }]), 'resource', /prefaced by a vendor/],
  ['non-string action', doc([{ ...ALLOW_PULL, Action: ['ecr:BatchGetImage', 7] }]), 'resource', /Action must be a non-empty string/],
  ['Resource and NotResource', doc([{ ...IDENTITY_STATEMENT, NotResource: '*' }]), 'identity', /both Resource and NotResource/],
  ['identity policy without Resource', doc([{ Effect: 'Allow', Action: 'ecr:*' }]), 'identity', /Missing required field Resource/],
  ['resource not an ARN', doc([{ ...IDENTITY_STATEMENT, Resource: 'repository/team/app' }]), 'identity', /must be in ARN format or "\*"/],
  ['identity policy with Principal', doc([{ ...IDENTITY_STATEMENT, Principal: '*' }]), 'identity', /should not specify a principal/],
  ['resource policy without Principal', doc([{ Effect: 'Allow', Action: 'ecr:*' }]), 'resource', /Missing required field Principal/],
  ['Principal and NotPrincipal', doc([{ ...ALLOW_PULL, NotPrincipal: '*' }]), 'resource', /both Principal and NotPrincipal/],
  ['NotPrincipal with Allow', doc([{ Effect: 'Allow', NotPrincipal: { AWS: '111122223333' }, Action: 'ecr:*' }]), 'resource', /NotPrincipal can only be used with "Effect": "Deny"/],
  ['bad principal type', doc([{ ...ALLOW_PULL, Principal: { IAM: '444455556666' } }]), 'resource', /Invalid principal in policy: unknown principal type "IAM"/],
  ['short account id', doc([{ ...ALLOW_PULL, Principal: { AWS: '12345' } }]), 'resource', /Invalid principal in policy: "AWS":"12345"/],
  ['wildcard inside a principal ARN', doc([{ ...ALLOW_PULL, Principal: { AWS: 'arn:aws:iam::444455556666:user/*' } }]), 'resource', /Invalid principal in policy/],
  ['principal string other than star', doc([{ ...ALLOW_PULL, Principal: '444455556666' }]), 'resource', /Invalid principal in policy/],
  ['empty principal object', doc([{ ...ALLOW_PULL, Principal: {} }]), 'resource', /Invalid principal in policy: Principal is empty/],
  ['unknown condition operator', doc([{ ...ALLOW_PULL, Condition: { StringEqualz: { 'aws:username': 'x' } } }]), 'resource', /unknown condition operator 'StringEqualz'/],
  ['unknown set operator', doc([{ ...ALLOW_PULL, Condition: { 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'x' } } }]), 'resource', /unknown condition operator 'ForSomeValues:StringEquals'/],
  ['NullIfExists is not an operator', doc([{ ...ALLOW_PULL, Condition: { NullIfExists: { 'aws:TagKeys': 'true' } } }]), 'resource', /unknown condition operator 'NullIfExists'/],
  ['condition block not an object', doc([{ ...ALLOW_PULL, Condition: { StringEquals: 'x' } }]), 'resource', /must map context keys to values/],
  ['condition key without vendor', doc([{ ...ALLOW_PULL, Condition: { StringEquals: { username: 'x' } } }]), 'resource', /Condition key 'username' must be prefaced by a vendor/],
  ['condition value object', doc([{ ...ALLOW_PULL, Condition: { StringEquals: { 'aws:username': { a: 1 } } } }]), 'resource', /must be a string, number or boolean/],
  ['bad CIDR', doc([{ ...ALLOW_PULL, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }]), 'resource', /is not an IPv4 or IPv6 address or CIDR block/],
  ['bad date', doc([{ ...ALLOW_PULL, Condition: { DateLessThan: { 'aws:CurrentTime': 'next tuesday' } } }]), 'resource', /is not an ISO 8601 date/],
  ['bad number', doc([{ ...ALLOW_PULL, Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 'ten' } } }]), 'resource', /is not a number/],
  ['bad Bool', doc([{ ...ALLOW_PULL, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }]), 'resource', /must be "true" or "false"/],
  ['duplicate Sid in an identity policy (IAM)', doc([{ ...IDENTITY_STATEMENT, Sid: 'A' }, { ...IDENTITY_STATEMENT, Sid: 'A' }]), 'identity', /must be unique; 'A' is repeated/],
  ['non-alphanumeric Sid in identity policy', doc([{ ...IDENTITY_STATEMENT, Sid: 'allow all' }]), 'identity', /must be alpha-numeric/],
  ['non-string Sid', doc([{ ...ALLOW_PULL, Sid: 1 }]), 'resource', /Sid must be a string/],
];

for (const [name, text, kind, pattern] of INVALID) {
  test(`rejects: ${name}`, () => rejects(text, kind, pattern));
}

test('rejects a document over the size limit, naming both lengths', () => {
  const text = doc([{ ...ALLOW_PULL, Sid: 'x'.repeat(10_300) }]);
  rejects(text, 'resource', new RegExp(`${text.length} characters long; the maximum is 10240`), 10_240);
});

test('the error records which statement is at fault', () => {
  try {
    parsePolicyDocument(doc([ALLOW_PULL, { ...ALLOW_PULL, Effect: 'Maybe' }]), { kind: 'resource' });
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof PolicyDocumentError);
    assert.equal(error.statementIndex, 1);
    assert.equal(error.name, 'PolicyDocumentError');
  }
});

test('accepts a single statement object, both versions, and names the policy', () => {
  const policy = parsePolicyDocument(JSON.stringify({ Version: '2008-10-17', Id: 'p1', Statement: { Sid: 'Pull from B', ...ALLOW_PULL } }), {
    kind: 'resource',
    name: 'repository-policy',
    maxLength: 10_240,
  });
  assert.equal(policy.name, 'repository-policy');
  assert.equal(policy.version, '2008-10-17');
  assert.equal(policy.id, 'p1');
  assert.equal(policy.statements.length, 1);
  assert.equal(policy.statements[0]!.sid, 'Pull from B');
  assert.deepEqual(policy.statements[0]!.principal?.aws, ['arn:aws:iam::444455556666:root']);
  assert.equal(policy.statements[0]!.resource, undefined, 'a resource policy may omit Resource');
});

test('a resource policy may repeat a Sid, as ECR allows: every statement is kept', () => {
  const policy = parsePolicyDocument(doc([{ ...ALLOW_PULL, Sid: 'A' }, { ...ALLOW_PULL, Sid: 'A', Action: 'ecr:PutImage' }, { ...ALLOW_PULL, Sid: 'A', Effect: 'Deny', Action: 'ecr:DeleteRepository' }]), {
    kind: 'resource',
  });
  assert.deepEqual(
    policy.statements.map((statement) => [statement.sid, statement.index, statement.effect, statement.action]),
    [
      ['A', 0, 'Allow', ['ecr:BatchGetImage']],
      ['A', 1, 'Allow', ['ecr:PutImage']],
      ['A', 2, 'Deny', ['ecr:DeleteRepository']],
    ],
  );
});

test('normalises condition clauses and keeps values as strings', () => {
  const policy = parsePolicyDocument(
    doc([{ ...IDENTITY_STATEMENT, Condition: { 'forallvalues:stringlikeifexists': { 'aws:TagKeys': ['a*', 'b'] }, Bool: { 'aws:SecureTransport': true }, NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } } }]),
    { kind: 'identity' },
  );
  const [tags, bool, age] = policy.statements[0]!.conditions;
  assert.deepEqual(tags, { operator: 'forallvalues:stringlikeifexists', base: 'StringLike', set: 'ForAllValues', ifExists: true, key: 'aws:TagKeys', values: ['a*', 'b'] });
  assert.deepEqual(bool?.values, ['true']);
  assert.deepEqual(age?.values, ['3600']);
});

test('accepts policy variables in string condition values and every documented operator', () => {
  const operators = [
    'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
    'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike',
  ];
  const condition: Record<string, Record<string, string>> = {};
  for (const op of operators) condition[op] = { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}' };
  condition['IpAddressIfExists'] = { 'aws:SourceIp': '2001:db8::/32' };
  condition['NotIpAddress'] = { 'aws:SourceIp': '10.0.0.1' };
  condition['DateGreaterThanEquals'] = { 'aws:CurrentTime': '2030-01-01T00:00:00.000+01:00' };
  condition['ForAnyValue:NumericGreaterThan'] = { 'ecr:Sizes': '1e3' };
  condition['Null'] = { 'aws:TokenIssueTime': 'true' };
  condition['BinaryEquals'] = { 'aws:Blob': 'QmVydGg=' };
  const policy = parsePolicyDocument(doc([{ ...IDENTITY_STATEMENT, Condition: condition }]), { kind: 'identity' });
  assert.equal(policy.statements[0]!.conditions.length, operators.length + 6);
});
