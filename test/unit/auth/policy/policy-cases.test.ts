// Runs every case table in ./cases: each case gives policies, a request and the
// decision AWS's documented evaluation logic reaches, with a one-line why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicyDocument, type ParsedPolicy, type PolicyKind } from '../../../../src/auth/policy/policy-document.ts';
import { evaluate, type AuthorizationRequest, type RequestPrincipal } from '../../../../src/auth/policy/evaluate.ts';

const CASES_DIR = join(import.meta.dirname, 'cases');
const OWNER = '111122223333';
const OTHER = '444455556666';
const DEFAULT_RESOURCE = `arn:aws:ecr:us-east-1:${OWNER}:repository/team/app`;

/** Principals cases refer to by name. */
const PRINCIPALS: Record<string, RequestPrincipal> = {
  alice: { accountId: OWNER, arn: `arn:aws:iam::${OWNER}:user/alice`, username: 'alice' },
  bob: { accountId: OWNER, arn: `arn:aws:iam::${OWNER}:user/bob`, username: 'bob' },
  admin: { accountId: OWNER, arn: `arn:aws:iam::${OWNER}:root`, isRoot: true },
  'ci-session': { accountId: OWNER, arn: `arn:aws:sts::${OWNER}:assumed-role/ci/build-42` },
  carol: { accountId: OTHER, arn: `arn:aws:iam::${OTHER}:user/carol`, username: 'carol' },
  'other-root': { accountId: OTHER, arn: `arn:aws:iam::${OTHER}:root`, isRoot: true },
  'other-puller': { accountId: OTHER, arn: `arn:aws:sts::${OTHER}:assumed-role/puller/s1` },
  lambda: { accountId: OWNER, arn: 'lambda.amazonaws.com', service: 'lambda.amazonaws.com' },
  replication: { accountId: OTHER, arn: 'replication.ecr.amazonaws.com', service: 'replication.ecr.amazonaws.com' },
  anonymous: { accountId: '', arn: 'anonymous', anonymous: true },
};

type PolicyJson = unknown[] | Record<string, unknown>;

interface Case {
  name: string;
  why: string;
  policies: { identity?: PolicyJson[]; resource?: PolicyJson; registry?: PolicyJson; resourceAccountId?: string };
  request: { principal: string | RequestPrincipal; action: string; resource?: string; context?: AuthorizationRequest['context'] };
  expected: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  matched?: { policy?: string; sid?: string };
}

interface CaseFile {
  description: string;
  cases: Case[];
}

function policy(json: PolicyJson, kind: PolicyKind, name: string): ParsedPolicy {
  // A bare list of statements is shorthand for a 2012-10-17 document.
  const document = Array.isArray(json) ? { Version: '2012-10-17', Statement: json } : json;
  return parsePolicyDocument(JSON.stringify(document), { kind, name, maxLength: 10_240 });
}

function principalOf(value: string | RequestPrincipal): RequestPrincipal {
  if (typeof value !== 'string') return value;
  const found = PRINCIPALS[value];
  if (!found) throw new Error(`unknown principal shorthand '${value}'`);
  return found;
}

const files = readdirSync(CASES_DIR).filter((f) => f.endsWith('.json')).sort();
let total = 0;

for (const file of files) {
  const table = JSON.parse(readFileSync(join(CASES_DIR, file), 'utf8')) as CaseFile;
  total += table.cases.length;
  const names = new Set<string>();
  for (const c of table.cases) {
    test(`${file}: ${c.name}`, () => {
      assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
      names.add(c.name);
      assert.ok(c.why && c.why.length > 0, 'every case says why');
      const p = c.policies;
      const decision = evaluate(
        {
          principal: principalOf(c.request.principal),
          action: c.request.action,
          resource: c.request.resource ?? DEFAULT_RESOURCE,
          context: c.request.context ?? {},
        },
        {
          identity: (p.identity ?? []).map((doc, i) => policy(doc, 'identity', `identity-${i}`)),
          ...(p.resource ? { resource: policy(p.resource, 'resource', 'repository-policy') } : {}),
          ...(p.registry ? { registry: policy(p.registry, 'resource', 'registry-policy') } : {}),
          resourceAccountId: p.resourceAccountId ?? OWNER,
        },
      );
      assert.equal(decision.decision, c.expected, `${c.why}\n  reason given: ${decision.reason}`);
      if (c.matched?.policy !== undefined) assert.equal(decision.matchedStatement?.policy, c.matched.policy);
      if (c.matched?.sid !== undefined) assert.equal(decision.matchedStatement?.sid, c.matched.sid);
    });
  }
}

test('the case tables hold at least 100 cases', () => {
  assert.ok(total >= 100, `only ${total} cases`);
});
