import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyDocument } from '../../../../src/auth/policy/policy-document.ts';
import { evaluate, type RequestPrincipal } from '../../../../src/auth/policy/evaluate.ts';

const REPO = 'arn:aws:ecr:us-east-1:111122223333:repository/team/app';
const CAROL: RequestPrincipal = { accountId: '444455556666', arn: 'arn:aws:iam::444455556666:user/carol', username: 'carol' };
const ALICE: RequestPrincipal = { accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/alice', username: 'alice' };

const repositoryPolicy = parsePolicyDocument(
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'PullFromB', Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'ecr:BatchGetImage' }] }),
  { kind: 'resource', name: 'repository-policy', maxLength: 10_240 },
);

test('an implicit cross-account deny explains which side is missing', () => {
  const decision = evaluate({ principal: CAROL, action: 'ecr:BatchGetImage', resource: REPO }, { identity: [], resource: repositoryPolicy, resourceAccountId: '111122223333' });
  assert.equal(decision.decision, 'ImplicitDeny');
  assert.equal(decision.matchedStatement, undefined);
  assert.match(decision.reason, /statement 'PullFromB' of repository-policy allows it, but no identity policy of account 444455556666 does/);
});

test('an allow names the statement by policy, sid and index', () => {
  const identity = parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }), { kind: 'identity', name: 'arn:aws:iam::444455556666:policy/pull' });
  const decision = evaluate({ principal: CAROL, action: 'ecr:BatchGetImage', resource: REPO }, { identity: [identity], resource: repositoryPolicy, resourceAccountId: '111122223333' });
  assert.equal(decision.decision, 'Allow');
  assert.deepEqual(decision.matchedStatement, { policy: 'repository-policy', sid: 'PullFromB', index: 0 });
});

test('statements that share a Sid each count: both allow, and a deny among them still wins', () => {
  const shared = parsePolicyDocument(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Team', Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'ecr:BatchGetImage' },
        { Sid: 'Team', Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: ['ecr:PutImage', 'ecr:DeleteRepository'] },
        { Sid: 'Team', Effect: 'Deny', Principal: { AWS: '444455556666' }, Action: 'ecr:DeleteRepository' },
      ],
    }),
    { kind: 'resource', name: 'repository-policy' },
  );
  const identity = parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }), { kind: 'identity' });
  const decide = (action: string) => evaluate({ principal: CAROL, action, resource: REPO }, { identity: [identity], resource: shared, resourceAccountId: '111122223333' });
  assert.deepEqual([decide('ecr:BatchGetImage').decision, decide('ecr:BatchGetImage').matchedStatement], ['Allow', { policy: 'repository-policy', sid: 'Team', index: 0 }]);
  assert.deepEqual([decide('ecr:PutImage').decision, decide('ecr:PutImage').matchedStatement], ['Allow', { policy: 'repository-policy', sid: 'Team', index: 1 }]);
  assert.deepEqual([decide('ecr:DeleteRepository').decision, decide('ecr:DeleteRepository').matchedStatement], ['ExplicitDeny', { policy: 'repository-policy', sid: 'Team', index: 2 }]);
  assert.equal(decide('ecr:ListImages').decision, 'ImplicitDeny');
});

test('context keys derived from the principal can be overridden by the request context', () => {
  const identity = parsePolicyDocument(
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/admin' } } }] }),
    { kind: 'identity' },
  );
  const base = { principal: ALICE, action: 'ecr:PutImage', resource: REPO };
  const policies = { identity: [identity], resourceAccountId: '111122223333' };
  assert.equal(evaluate(base, policies).decision, 'ImplicitDeny');
  assert.equal(evaluate({ ...base, context: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/admin' } }, policies).decision, 'Allow');
});

test('undefined context values count as absent', () => {
  const identity = parsePolicyDocument(
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { Null: { 'aws:SourceIp': 'true' } } }] }),
    { kind: 'identity' },
  );
  const decision = evaluate({ principal: ALICE, action: 'ecr:PutImage', resource: REPO, context: { 'aws:SourceIp': undefined } }, { identity: [identity], resourceAccountId: '111122223333' });
  assert.equal(decision.decision, 'Allow');
});
