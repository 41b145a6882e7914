import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LifecyclePolicyError, parseLifecyclePolicy } from '../../src/lifecycle/lifecycle-policy-grammar.ts';
import { tagMatchesPattern, tagsMatchAllPatterns, tagsMatchAllPrefixes, wildcardCount } from '../../src/lifecycle/tag-pattern.ts';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const PREFIX =
  "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

function rule(priority: number, selection: Record<string, JsonValue>, extra: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  return { rulePriority: priority, selection, action: { type: 'expire' }, ...extra };
}

const UNTAGGED_14_DAYS = { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 };
const KEEP_ONE_UNTAGGED = { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 };

function policyText(...rules: JsonValue[]): string {
  return JSON.stringify({ rules });
}

function refusal(text: string): LifecyclePolicyError {
  try {
    parseLifecyclePolicy(text);
  } catch (error) {
    assert.ok(error instanceof LifecyclePolicyError, `expected a LifecyclePolicyError, got ${String(error)}`);
    return error;
  }
  assert.fail(`policy was accepted: ${text}`);
}

describe('lifecycle policy grammar: the policies of ECR\'s documentation parse', () => {
  test('filtering on image age (tagPatternList prod*, sinceImagePushed 14 days)', () => {
    const policy = parseLifecyclePolicy(`{
      "rules": [
        {
          "rulePriority": 1,
          "description": "Expire images older than 14 days",
          "selection": {
            "tagStatus": "tagged",
            "tagPatternList": ["prod*"],
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": 14
          },
          "action": { "type": "expire" }
        }
      ]
    }`);
    assert.deepEqual(policy, {
      rules: [
        {
          rulePriority: 1,
          description: 'Expire images older than 14 days',
          selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
          action: { type: 'expire' },
        },
      ],
    });
  });

  test('filtering on image age, the older untagged form', () => {
    const policy = parseLifecyclePolicy(policyText(rule(1, UNTAGGED_14_DAYS, { description: 'Expire images older than 14 days' })));
    assert.deepEqual(policy.rules[0]!.selection, UNTAGGED_14_DAYS);
  });

  test('filtering on image count (keep one untagged image): no countUnit in the result', () => {
    const policy = parseLifecyclePolicy(policyText(rule(1, KEEP_ONE_UNTAGGED)));
    assert.deepEqual(policy.rules[0]!.selection, KEEP_ONE_UNTAGGED);
    assert.equal(policy.rules[0]!.description, undefined);
  });

  test('multiple rules and multiple prefixes in one rule keep document order and every entry', () => {
    const policy = parseLifecyclePolicy(
      policyText(
        rule(2, { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 }),
        rule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 }),
      ),
    );
    assert.deepEqual(policy.rules.map((r) => r.rulePriority), [2, 1]);
    assert.deepEqual(policy.rules[1]!.selection.tagPrefixList, ['alpha', 'beta']);
  });

  test('filtering on all images: tagged + untagged + any (any last), priorities need not be sequential', () => {
    const policy = parseLifecyclePolicy(
      policyText(
        rule(10, { tagStatus: 'tagged', tagPrefixList: ['latest'], countType: 'imageCountMoreThan', countNumber: 5 }),
        rule(20, { tagStatus: 'tagged', tagPrefixList: ['master'], countType: 'imageCountMoreThan', countNumber: 5 }),
        rule(990, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }),
        rule(1000, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 15 }),
      ),
    );
    assert.deepEqual(policy.rules.map((r) => r.selection.tagStatus), ['tagged', 'tagged', 'untagged', 'any']);
  });

  test('tagPatternList with four wildcards is the documented maximum', () => {
    const policy = parseLifecyclePolicy(
      policyText(rule(1, { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], countType: 'imageCountMoreThan', countNumber: 3 })),
    );
    assert.deepEqual(policy.rules[0]!.selection.tagPatternList, ['*test*1*2*3', 'test*1*2*3*']);
  });

  test('sinceImagePulled with expire is accepted (ECR only pairs it with its archive transition)', () => {
    const policy = parseLifecyclePolicy(
      policyText(rule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 })),
    );
    assert.equal(policy.rules[0]!.selection.countType, 'sinceImagePulled');
    assert.equal(policy.rules[0]!.selection.countUnit, 'days');
    assert.deepEqual(policy.rules[0]!.action, { type: 'expire' });
  });

  test('storageClass "standard", ECR\'s default, is accepted and changes nothing', () => {
    const policy = parseLifecyclePolicy(policyText(rule(1, { ...KEEP_ONE_UNTAGGED, storageClass: 'standard' })));
    assert.deepEqual(policy.rules[0]!.selection, KEEP_ONE_UNTAGGED);
  });

  test('a description may be empty; whitespace and key order in the text do not matter', () => {
    const policy = parseLifecyclePolicy(
      '\n { "rules" : [ { "action":{"type":"expire"}, "selection":{"countNumber":1,"countType":"imageCountMoreThan","tagStatus":"untagged"}, "description":"", "rulePriority":7 } ] } \n',
    );
    assert.deepEqual(policy, {
      rules: [{ rulePriority: 7, description: '', selection: KEEP_ONE_UNTAGGED, action: { type: 'expire' } }],
    });
  });
});

describe('lifecycle policy grammar: every refusal carries ECR\'s full message', () => {
  test('the message is the full InvalidParameterException text', () => {
    const error = refusal('{"rules": ');
    assert.equal(error.message, `${PREFIX}Could not map policyString into LifecyclePolicy.'`);
    assert.equal(error.reason, 'Could not map policyString into LifecyclePolicy.');
    assert.equal(error.name, 'LifecyclePolicyError');
  });

  const SINCE_PUSHED = { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 };
  const cases: ReadonlyArray<{ readonly name: string; readonly text: string; readonly reason: string }> = [
    // JSON syntax and the document's shape
    { name: 'not JSON', text: 'rules: []', reason: 'Could not map policyString into LifecyclePolicy.' },
    { name: 'truncated JSON', text: '{"rules":[{"rulePriority":1}', reason: 'Could not map policyString into LifecyclePolicy.' },
    {
      name: 'the documentation\'s old typo (no comma after rulePriority)',
      text: '{"rules":[{"rulePriority": 1 "description": "Rule 1", "selection": {}, "action": {}}]}',
      reason: 'Could not map policyString into LifecyclePolicy.',
    },
    { name: 'a JSON array', text: '[]', reason: 'Could not map policyString into LifecyclePolicy.' },
    { name: 'a JSON string', text: '"rules"', reason: 'Could not map policyString into LifecyclePolicy.' },
    { name: 'JSON null', text: 'null', reason: 'Could not map policyString into LifecyclePolicy.' },
    { name: 'no rules', text: '{"no_rules":"test"}', reason: 'object has missing required properties (["rules"])' },
    {
      name: 'an unknown top-level key',
      text: JSON.stringify({ rules: [rule(1, KEEP_ONE_UNTAGGED)], version: 1 }),
      reason: 'object instance has properties which are not allowed by the schema: (["version"])',
    },
    {
      name: 'rules is an object',
      text: JSON.stringify({ rules: rule(1, KEEP_ONE_UNTAGGED) }),
      reason: 'instance type (object) does not match any allowed primitive type (allowed: ["array"])',
    },
    { name: 'rules is empty', text: '{"rules":[]}', reason: 'array is too short: must have at least 1 elements but instance has 0 elements' },
    {
      name: 'more than 50 rules',
      text: policyText(
        ...Array.from({ length: 51 }, (_, i) =>
          rule(i + 1, { tagStatus: 'tagged', tagPrefixList: [`p${i}`], countType: 'imageCountMoreThan', countNumber: 1 }),
        ),
      ),
      reason: 'array is too long: must have at most 50 elements but instance has 51 elements',
    },
    // a rule
    { name: 'a rule that is a string', text: '{"rules":["expire"]}', reason: 'instance type (string) does not match any allowed primitive type (allowed: ["object"])' },
    {
      name: 'a rule without rulePriority and action',
      text: policyText({ selection: KEEP_ONE_UNTAGGED }),
      reason: 'object has missing required properties (["action", "rulePriority"])',
    },
    {
      name: 'unknown rule keys (listed sorted)',
      text: policyText(rule(1, KEEP_ONE_UNTAGGED, { zeta: 1, alpha: true })),
      reason: 'object instance has properties which are not allowed by the schema: (["alpha", "zeta"])',
    },
    {
      name: 'rulePriority 0',
      text: policyText(rule(0, KEEP_ONE_UNTAGGED)),
      reason: 'numeric instance is lower than the required minimum (minimum: 1, found: 0)',
    },
    {
      name: 'negative rulePriority',
      text: policyText(rule(-3, KEEP_ONE_UNTAGGED)),
      reason: 'numeric instance is lower than the required minimum (minimum: 1, found: -3)',
    },
    {
      name: 'rulePriority as a string',
      text: policyText({ ...rule(1, KEEP_ONE_UNTAGGED), rulePriority: '1' }),
      reason: 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])',
    },
    {
      name: 'fractional rulePriority',
      text: policyText(rule(1.5, KEEP_ONE_UNTAGGED)),
      reason: 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])',
    },
    {
      name: 'rulePriority beyond a 32-bit integer',
      text: policyText(rule(2147483648, KEEP_ONE_UNTAGGED)),
      reason: 'numeric instance is greater than the required maximum (maximum: 2147483647, found: 2147483648)',
    },
    {
      name: 'description null',
      text: policyText(rule(1, KEEP_ONE_UNTAGGED, { description: null })),
      reason: 'instance type (null) does not match any allowed primitive type (allowed: ["string"])',
    },
    {
      name: 'selection an array',
      text: policyText({ rulePriority: 1, selection: [], action: { type: 'expire' } }),
      reason: 'instance type (array) does not match any allowed primitive type (allowed: ["object"])',
    },
    // selection
    {
      name: 'selection without tagStatus and countNumber',
      text: policyText(rule(1, { countType: 'imageCountMoreThan' })),
      reason: 'object has missing required properties (["countNumber", "tagStatus"])',
    },
    {
      name: 'an unknown selection key',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, tagSuffixList: ['x'] })),
      reason: 'object instance has properties which are not allowed by the schema: (["tagSuffixList"])',
    },
    {
      name: 'tagStatus bogus',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, tagStatus: 'bogus' })),
      reason: 'instance value (bogus) not found in enum :(possible values: ["any", "tagged", "untagged"])',
    },
    {
      name: 'tagStatus in capitals',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, tagStatus: 'UNTAGGED' })),
      reason: 'instance value (UNTAGGED) not found in enum :(possible values: ["any", "tagged", "untagged"])',
    },
    {
      name: 'tagStatus a number',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, tagStatus: 1 })),
      reason: 'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
    },
    {
      name: 'an unknown countType',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, countType: 'imageCountLessThan' })),
      reason: 'instance failed to match exactly one schema (matched 0 out of 2)',
    },
    {
      name: 'countUnit with imageCountMoreThan',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, countUnit: 'days' })),
      reason: 'instance failed to match exactly one schema (matched 0 out of 2)',
    },
    {
      name: 'countUnit null with imageCountMoreThan (Terraform\'s null)',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, countUnit: null })),
      reason: 'instance failed to match exactly one schema (matched 0 out of 2)',
    },
    {
      name: 'sinceImagePushed without countUnit',
      text: policyText(rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 3 })),
      reason: 'instance failed to match exactly one schema (matched 0 out of 2)',
    },
    {
      name: 'sinceImagePulled with countUnit null',
      text: policyText(rule(1, { tagStatus: 'untagged', countType: 'sinceImagePulled', countUnit: null, countNumber: 3 })),
      reason: 'instance failed to match exactly one schema (matched 0 out of 2)',
    },
    {
      name: 'countUnit weeks',
      text: policyText(rule(1, { ...SINCE_PUSHED, countUnit: 'weeks' })),
      reason: 'instance value (weeks) not found in enum :(possible values: ["days"])',
    },
    {
      name: 'countNumber 0',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, countNumber: 0 })),
      reason: 'numeric instance is lower than the required minimum (minimum: 1, found: 0)',
    },
    {
      name: 'countNumber as a string',
      text: policyText(rule(1, { ...SINCE_PUSHED, countNumber: '14' })),
      reason: 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])',
    },
    {
      name: 'fractional countNumber',
      text: policyText(rule(1, { ...SINCE_PUSHED, countNumber: 0.5 })),
      reason: 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])',
    },
    {
      name: 'tagPrefixList a string',
      text: policyText(rule(1, { tagStatus: 'tagged', tagPrefixList: 'prod', countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: 'instance type (string) does not match any allowed primitive type (allowed: ["array"])',
    },
    {
      name: 'a tagPatternList entry that is a number',
      text: policyText(rule(1, { tagStatus: 'tagged', tagPatternList: ['v*', 7], countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: 'instance type (integer) does not match any allowed primitive type (allowed: ["string"])',
    },
    {
      name: 'an empty prefix',
      text: policyText(rule(1, { tagStatus: 'tagged', tagPrefixList: [''], countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: 'string "" is too short (length: 0, required minimum: 1)',
    },
    {
      name: 'a 129-character pattern',
      text: policyText(rule(1, { tagStatus: 'tagged', tagPatternList: ['a'.repeat(129)], countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: `string "${'a'.repeat(129)}" is too long (length: 129, maximum allowed: 128)`,
    },
    {
      name: '101 prefixes',
      text: policyText(
        rule(1, { tagStatus: 'tagged', tagPrefixList: Array.from({ length: 101 }, (_, i) => `p${i}`), countType: 'imageCountMoreThan', countNumber: 1 }),
      ),
      reason: 'array is too long: must have at most 100 elements but instance has 101 elements',
    },
    {
      name: 'storageClass bogus',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, storageClass: 'glacier' })),
      reason: 'instance value (glacier) not found in enum :(possible values: ["archive", "standard"])',
    },
    // action
    {
      name: 'action without type',
      text: policyText({ rulePriority: 1, selection: KEEP_ONE_UNTAGGED, action: {} }),
      reason: 'object has missing required properties (["type"])',
    },
    {
      name: 'action type delete',
      text: policyText({ rulePriority: 1, selection: KEEP_ONE_UNTAGGED, action: { type: 'delete' } }),
      reason: 'instance value (delete) not found in enum :(possible values: ["expire", "transition"])',
    },
    {
      name: 'an unknown action key',
      text: policyText({ rulePriority: 1, selection: KEEP_ONE_UNTAGGED, action: { type: 'expire', dryRun: true } }),
      reason: 'object instance has properties which are not allowed by the schema: (["dryRun"])',
    },
    {
      name: 'targetStorageClass null on expire (CloudPosse\'s bug)',
      text: policyText({ rulePriority: 1, selection: KEEP_ONE_UNTAGGED, action: { type: 'expire', targetStorageClass: null } }),
      reason: 'instance failed to match exactly one schema (matched 0 out of 2)',
    },
    // no archive storage class in Berth
    {
      name: 'action transition',
      text: policyText({
        rulePriority: 1,
        selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 },
        action: { type: 'transition', targetStorageClass: 'archive' },
      }),
      reason: 'action type transition is not supported: Berth has no archive storage class, so lifecycle rules can only expire images.',
    },
    {
      name: 'storageClass archive',
      text: policyText(rule(1, { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 30 })),
      reason: 'storageClass archive is not supported: Berth has no archive storage class, so lifecycle rules can only expire images.',
    },
    {
      name: 'sinceImageTransitioned',
      text: policyText(rule(1, { tagStatus: 'any', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 30 })),
      reason: 'countType sinceImageTransitioned is not supported: Berth has no archive storage class, so lifecycle rules can only expire images.',
    },
    // ECR's prose rules
    {
      name: 'tagged without a tag list',
      text: policyText(rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.',
    },
    {
      name: 'tagged with an empty tagPrefixList',
      text: policyText(rule(1, { tagStatus: 'tagged', tagPrefixList: [], countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.',
    },
    {
      name: 'tagged with both lists',
      text: policyText(rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: 'Specify either tagPrefixList or tagPatternList in a rule, not both.',
    },
    {
      name: 'untagged with a tagPrefixList',
      text: policyText(rule(1, { ...KEEP_ONE_UNTAGGED, tagPrefixList: ['v'] })),
      reason: 'tagPrefixList and tagPatternList can only be specified when tagStatus=TAGGED, not tagStatus=UNTAGGED.',
    },
    {
      name: 'any with an empty tagPatternList (Terraform\'s [])',
      text: policyText(rule(1, { tagStatus: 'any', tagPatternList: [], countType: 'imageCountMoreThan', countNumber: 10 })),
      reason: 'tagPrefixList and tagPatternList can only be specified when tagStatus=TAGGED, not tagStatus=ANY.',
    },
    {
      name: 'five wildcards in one pattern',
      text: policyText(rule(1, { tagStatus: 'tagged', tagPatternList: ['test*1*2*3*4*'], countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: 'tagPatternList entry "test*1*2*3*4*" has 5 wildcards; the maximum is 4 per pattern.',
    },
    {
      name: 'the documentation\'s invalid example (six wildcards)',
      text: policyText(rule(1, { tagStatus: 'tagged', tagPatternList: ['test*1*2*3*4*5*6'], countType: 'imageCountMoreThan', countNumber: 1 })),
      reason: 'tagPatternList entry "test*1*2*3*4*5*6" has 6 wildcards; the maximum is 4 per pattern.',
    },
    {
      name: 'two rules with the same priority',
      text: policyText(
        rule(2, { tagStatus: 'tagged', tagPrefixList: ['a'], countType: 'imageCountMoreThan', countNumber: 1 }),
        rule(2, { tagStatus: 'tagged', tagPrefixList: ['b'], countType: 'imageCountMoreThan', countNumber: 1 }),
      ),
      reason: 'Rule priorities must be unique: rulePriority 2 is used by more than one rule.',
    },
    {
      name: 'two untagged rules',
      text: policyText(rule(1, KEEP_ONE_UNTAGGED), rule(2, UNTAGGED_14_DAYS)),
      reason: 'Only one rule can select Untagged images per storage class.',
    },
    {
      name: 'an any rule before a tagged rule',
      text: policyText(
        rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }),
        rule(2, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }),
      ),
      reason: 'Rule for tagStatus=ANY must have the lowest priority per storage class.',
    },
    {
      name: 'two any rules',
      text: policyText(
        rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }),
        rule(2, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }),
      ),
      reason: 'Rule for tagStatus=ANY must have the lowest priority per storage class.',
    },
    {
      name: 'two rules on the same tag prefixes (count and age on the same images)',
      text: policyText(
        rule(1, { tagStatus: 'tagged', tagPrefixList: ['v', 'prod'], countType: 'imageCountMoreThan', countNumber: 10 }),
        rule(2, { tagStatus: 'tagged', tagPrefixList: ['prod', 'v'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }),
      ),
      reason: 'The rules must contain a unique set of tag prefixes: rules 1 and 2 select the same tags.',
    },
    {
      name: 'a prefix and the equivalent pattern in two rules',
      text: policyText(
        rule(5, { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'imageCountMoreThan', countNumber: 10 }),
        rule(3, { tagStatus: 'tagged', tagPrefixList: ['release-'], countType: 'imageCountMoreThan', countNumber: 3 }),
      ),
      reason: 'The rules must contain a unique set of tag prefixes: rules 3 and 5 select the same tags.',
    },
  ];

  for (const { name, text, reason } of cases) {
    test(name, () => {
      const error = refusal(text);
      assert.equal(error.reason, reason);
      assert.equal(error.message, `${PREFIX}${reason}'`);
    });
  }

  test('the first problem in document order is the one reported', () => {
    const error = refusal(
      policyText(
        rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }),
        rule(0, { tagStatus: 'bogus', countType: 'imageCountMoreThan', countNumber: 1 }),
      ),
    );
    assert.equal(error.reason, 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
  });

  test('distinct tag sets are fine, also when one contains the other', () => {
    const policy = parseLifecyclePolicy(
      policyText(
        rule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 }),
        rule(2, { tagStatus: 'tagged', tagPrefixList: ['alpha'], countType: 'imageCountMoreThan', countNumber: 1 }),
        rule(3, { tagStatus: 'tagged', tagPatternList: ['alpha'], countType: 'imageCountMoreThan', countNumber: 1 }),
      ),
    );
    assert.equal(policy.rules.length, 3);
  });
});

describe('tag patterns', () => {
  const matches: ReadonlyArray<readonly [string, string, boolean]> = [
    ['prod', 'prod*', true],
    ['prod1', 'prod*', true],
    ['preprod', 'prod*', false],
    ['prod', 'prod', true],
    ['prod1', 'prod', false],
    ['anything', '*', true],
    ['v1.2-rc1', '*-rc*', true],
    ['v1.2', '*-rc*', false],
    ['test-1-2-3', '*test*1*2*3', true],
    ['test123', 'test*1*2*3*', true],
    ['test132', 'test*1*2*3*', false],
    ['abab', 'a*b*ab', true],
    ['ab', 'a*b*b', false],
    ['abb', 'a*b*b', true],
    ['ababab', 'a*b*ab', true],
    ['aa', 'a*a', true],
    ['a', 'a*a', false],
    ['Prod', 'prod*', false],
    ['x.y', 'x?y', false],
  ];
  for (const [tag, pattern, expected] of matches) {
    test(`${JSON.stringify(tag)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(pattern)}`, () => {
      assert.equal(tagMatchesPattern(tag, pattern), expected);
    });
  }

  test('several patterns or prefixes: each must match some tag (AND), not necessarily the same one', () => {
    assert.equal(tagsMatchAllPatterns(['alpha-2', 'beta-2'], ['alpha*', 'beta*']), true);
    assert.equal(tagsMatchAllPatterns(['alpha-1'], ['alpha*', 'beta*']), false);
    assert.equal(tagsMatchAllPrefixes(['alpha-2', 'beta-2'], ['alpha', 'beta']), true);
    assert.equal(tagsMatchAllPrefixes(['beta-1'], ['alpha', 'beta']), false);
    assert.equal(tagsMatchAllPrefixes([], ['alpha']), false);
  });

  test('wildcards are counted per pattern', () => {
    assert.equal(wildcardCount('prod'), 0);
    assert.equal(wildcardCount('*test*1*2*3'), 4);
    assert.equal(wildcardCount('test*1*2*3*4*5*6'), 6);
  });
});
