import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateLifecyclePolicy } from '../../src/lifecycle/lifecycle-evaluator.ts';
import { parseLifecyclePolicy } from '../../src/lifecycle/lifecycle-policy-grammar.ts';
import type { LifecycleExpiry, LifecycleImage, LifecyclePolicy } from '../../src/lifecycle/lifecycle-types.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const IMAGE_INDEX = 'application/vnd.oci.image.index.v1+json';

function daysAgo(days: number): Date {
  return new Date(NOW.getTime() - days * DAY);
}

interface ImageSpec {
  readonly tags?: readonly string[];
  /** Days before NOW. */
  readonly pushed: number;
  readonly pulled?: number;
  readonly children?: readonly string[];
  readonly subject?: string;
}

function image(digest: string, spec: ImageSpec): LifecycleImage {
  const children = spec.children ?? [];
  return {
    digest,
    tags: spec.tags ?? [],
    pushedAt: daysAgo(spec.pushed),
    ...(spec.pulled === undefined ? {} : { lastPulledAt: daysAgo(spec.pulled) }),
    mediaType: children.length > 0 ? IMAGE_INDEX : IMAGE_MANIFEST,
    children,
    ...(spec.subject === undefined ? {} : { subject: spec.subject }),
    sizeInBytes: 1000,
  };
}

type Selection = Record<string, unknown>;

/** A policy built from ECR JSON text, so each case also goes through the grammar. */
function policy(...selections: ReadonlyArray<readonly [number, Selection]>): LifecyclePolicy {
  return parseLifecyclePolicy(
    JSON.stringify({
      rules: selections.map(([rulePriority, selection]) => ({ rulePriority, selection, action: { type: 'expire' } })),
    }),
  );
}

function evaluate(p: LifecyclePolicy, images: readonly LifecycleImage[]): LifecycleExpiry[] {
  const result = evaluateLifecyclePolicy(p, images, NOW);
  assertSafeDeletionOrder(result, images);
  assert.deepEqual(
    evaluateLifecyclePolicy(p, [...images].reverse(), NOW),
    result,
    'the result does not depend on the order the images are given in',
  );
  return result;
}

function digests(result: readonly LifecycleExpiry[]): string[] {
  return result.map((expiry) => expiry.digest);
}

/** Deleting in result order never leaves an index listing a deleted child nor a referrer of a deleted subject. */
function assertSafeDeletionOrder(result: readonly LifecycleExpiry[], images: readonly LifecycleImage[]): void {
  const position = new Map(result.map((expiry, i) => [expiry.digest, i]));
  assert.equal(position.size, result.length, 'each manifest expires at most once');
  const byDigest = new Map(images.map((img) => [img.digest, img]));
  for (const expiry of result) {
    const img = byDigest.get(expiry.digest)!;
    for (const child of img.children) {
      if (position.has(child)) assert.ok(position.get(child)! > position.get(img.digest)!, `${img.digest} goes before its child ${child}`);
    }
    if (img.subject !== undefined && position.has(img.subject)) {
      assert.ok(position.get(img.subject)! > position.get(img.digest)!, `referrer ${img.digest} goes before its subject`);
    }
  }
  // Nothing a kept manifest lists is deleted.
  for (const img of images) {
    if (position.has(img.digest)) continue;
    for (const child of img.children) assert.ok(!position.has(child), `kept ${img.digest} lists deleted ${child}`);
  }
}

const TAGGED = (prefixes: readonly string[], rest: Selection): Selection => ({ tagStatus: 'tagged', tagPrefixList: prefixes, ...rest });
const PATTERNS = (patterns: readonly string[], rest: Selection): Selection => ({ tagStatus: 'tagged', tagPatternList: patterns, ...rest });
const KEEP = (n: number): Selection => ({ countType: 'imageCountMoreThan', countNumber: n });
const OLDER_THAN = (days: number): Selection => ({ countType: 'sinceImagePushed', countUnit: 'days', countNumber: days });
const NOT_PULLED_FOR = (days: number): Selection => ({ countType: 'sinceImagePulled', countUnit: 'days', countNumber: days });

describe('lifecycle evaluator: the examples of ECR\'s documentation', () => {
  test('filtering on image age: tagPatternList prod*, older than 14 days', () => {
    const images = [
      image('prod-old', { tags: ['prod-1'], pushed: 20 }),
      image('prod-new', { tags: ['prod-2'], pushed: 10 }),
      image('dev-old', { tags: ['dev-1'], pushed: 30 }),
      image('untagged-old', { pushed: 30 }),
    ];
    const result = evaluate(policy([1, PATTERNS(['prod*'], OLDER_THAN(14))]), images);
    assert.deepEqual(result, [
      { digest: 'prod-old', tags: ['prod-1'], pushedAt: daysAgo(20), rulePriority: 1, reason: 'rule' },
    ]);
  });

  test('filtering on image age: untagged images older than 14 days (older than means strictly)', () => {
    const images = [
      image('u15', { pushed: 15 }),
      image('u14', { pushed: 14 }),
      image('u2', { pushed: 2 }),
      image('t30', { tags: ['v1'], pushed: 30 }),
    ];
    assert.deepEqual(digests(evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(14) }]), images)), ['u15']);
  });

  test('filtering on image count: keep only one untagged image', () => {
    const images = [
      image('u3', { pushed: 3 }),
      image('u1', { pushed: 1 }),
      image('u2', { pushed: 2 }),
      image('t9', { tags: ['v9'], pushed: 9 }),
    ];
    assert.deepEqual(digests(evaluate(policy([1, { tagStatus: 'untagged', ...KEEP(1) }]), images)), ['u3', 'u2']);
  });

  const MULTIPLE_RULES_REPO = [
    image('A', { tags: ['beta-1', 'prod-1'], pushed: 10 }),
    image('B', { tags: ['beta-2', 'prod-2'], pushed: 9 }),
    image('C', { tags: ['beta-3'], pushed: 8 }),
  ];

  test('multiple rules, example A: prod (1) then beta (2) expires only A', () => {
    const p = policy([1, TAGGED(['prod'], KEEP(1))], [2, TAGGED(['beta'], KEEP(1))]);
    const result = evaluate(p, MULTIPLE_RULES_REPO);
    assert.deepEqual(result, [{ digest: 'A', tags: ['beta-1', 'prod-1'], pushedAt: daysAgo(10), rulePriority: 1, reason: 'rule' }]);
  });

  test('multiple rules, example B: beta (1) then prod (2) expires A and B', () => {
    const p = policy([1, TAGGED(['beta'], KEEP(1))], [2, TAGGED(['prod'], KEEP(1))]);
    const result = evaluate(p, MULTIPLE_RULES_REPO);
    assert.deepEqual(digests(result), ['A', 'B']);
    assert.deepEqual(result.map((e) => e.rulePriority), [1, 1]);
  });

  test('multiple rules with tagPatternList (prod*, beta*) give the same outcomes', () => {
    assert.deepEqual(digests(evaluate(policy([1, PATTERNS(['prod*'], KEEP(1))], [2, PATTERNS(['beta*'], KEEP(1))]), MULTIPLE_RULES_REPO)), ['A']);
    assert.deepEqual(digests(evaluate(policy([1, PATTERNS(['beta*'], KEEP(1))], [2, PATTERNS(['prod*'], KEEP(1))]), MULTIPLE_RULES_REPO)), ['A', 'B']);
  });

  test('multiple tags in a single rule, example A: alpha AND beta older than 5 days expires C', () => {
    const images = [
      image('A', { tags: ['alpha-1'], pushed: 12 }),
      image('B', { tags: ['beta-1'], pushed: 11 }),
      image('C', { tags: ['alpha-2', 'beta-2'], pushed: 10 }),
      image('D', { tags: ['alpha-3'], pushed: 4 }),
      image('E', { tags: ['beta-3'], pushed: 3 }),
      image('F', { tags: ['alpha-4', 'beta-4'], pushed: 2 }),
    ];
    assert.deepEqual(digests(evaluate(policy([1, TAGGED(['alpha', 'beta'], OLDER_THAN(5))]), images)), ['C']);
    assert.deepEqual(digests(evaluate(policy([1, PATTERNS(['alpha*', 'beta*'], OLDER_THAN(5))]), images)), ['C']);
  });

  test('multiple tags in a single rule, example B: tags are not exclusive, A and B expire', () => {
    const images = [
      image('A', { tags: ['alpha-1', 'beta-1', 'gamma-1'], pushed: 10 }),
      image('B', { tags: ['alpha-2', 'beta-2'], pushed: 9 }),
      image('C', { tags: ['alpha-3', 'beta-3', 'gamma-2'], pushed: 8 }),
    ];
    assert.deepEqual(digests(evaluate(policy([1, TAGGED(['alpha', 'beta'], KEEP(1))]), images)), ['A', 'B']);
  });

  test('filtering on all images, example A: any, keep one', () => {
    const images = [
      image('A', { tags: ['alpha-1'], pushed: 4 }),
      image('B', { tags: ['beta-1'], pushed: 3 }),
      image('C', { pushed: 2 }),
      image('D', { tags: ['alpha-2'], pushed: 1 }),
    ];
    assert.deepEqual(digests(evaluate(policy([1, { tagStatus: 'any', ...KEEP(1) }]), images)), ['A', 'B', 'C']);
  });

  test('filtering on all images, example B: tagged + untagged + any expires A, B and D', () => {
    // The documentation gives D and E the same day; E, listed last, is the newest
    // one rule 3 keeps, and exactly one day old it is not "older than one day".
    const images = [
      image('A', { tags: ['alpha-1', 'beta-1'], pushed: 4 }),
      image('B', { pushed: 3 }),
      image('C', { tags: ['alpha-2'], pushed: 2 }),
      image('D', { tags: ['git hash'], pushed: 1 + 1 / 24 }),
      image('E', { pushed: 1 }),
    ];
    const p = policy([1, TAGGED(['alpha'], KEEP(1))], [2, { tagStatus: 'untagged', ...OLDER_THAN(1) }], [3, { tagStatus: 'any', ...KEEP(1) }]);
    const result = evaluate(p, images);
    assert.deepEqual(result.map((e) => [e.digest, e.rulePriority, e.reason]), [
      ['A', 1, 'rule'],
      ['B', 2, 'rule'],
      ['D', 3, 'rule'],
    ]);
  });
});

describe('lifecycle evaluator: ECR\'s evaluation rules', () => {
  test('a count rule still counts images a higher-priority rule expired', () => {
    // Rule 1 expires both rc images; rule 2 keeps the two youngest images of all,
    // which are those rc images, so the older ones go by rule 2. Were the expired
    // rc images not counted, rule 2 would see only two images and expire nothing.
    const images = [
      image('rc-1', { tags: ['rc-1'], pushed: 2 }),
      image('rc-2', { tags: ['rc-2'], pushed: 3 }),
      image('old', { tags: ['old-1'], pushed: 10 }),
      image('u', { pushed: 20 }),
    ];
    const p = policy([1, TAGGED(['rc'], OLDER_THAN(1))], [2, { tagStatus: 'any', ...KEEP(2) }]);
    assert.deepEqual(evaluate(p, images).map((e) => [e.digest, e.rulePriority]), [
      ['rc-2', 1],
      ['rc-1', 1],
      ['u', 2],
      ['old', 2],
    ]);
  });

  test('an image matched by a higher-priority rule is never expired by a lower one, even when the higher one keeps it', () => {
    const images = [image('prod', { tags: ['prod-1'], pushed: 30 }), image('dev', { tags: ['dev-1'], pushed: 30 })];
    const p = policy([1, TAGGED(['prod'], KEEP(5))], [2, { tagStatus: 'any', ...OLDER_THAN(1) }]);
    assert.deepEqual(digests(evaluate(p, images)), ['dev']);
  });

  test('an image two rules would expire is expired once, by the higher-priority rule', () => {
    const images = [image('u-old', { pushed: 9 }), image('u-new', { pushed: 1 })];
    const p = policy([1, { tagStatus: 'untagged', ...OLDER_THAN(5) }], [2, { tagStatus: 'any', ...KEEP(1) }]);
    assert.deepEqual(evaluate(p, images).map((e) => [e.digest, e.rulePriority]), [['u-old', 1]]);
  });

  test('rules apply by rulePriority, not by their order in the document', () => {
    const p = policy([2, TAGGED(['prod'], KEEP(1))], [1, TAGGED(['beta'], KEEP(1))]);
    assert.deepEqual(digests(evaluate(p, [
      image('A', { tags: ['beta-1', 'prod-1'], pushed: 10 }),
      image('B', { tags: ['beta-2', 'prod-2'], pushed: 9 }),
      image('C', { tags: ['beta-3'], pushed: 8 }),
    ])), ['A', 'B']);
  });

  test('equal push times: the smaller digest counts as younger, whatever the input order', () => {
    const images = [image('sha256:bbbb', { pushed: 3 }), image('sha256:aaaa', { pushed: 3 }), image('sha256:cccc', { pushed: 3 })];
    const p = policy([1, { tagStatus: 'untagged', ...KEEP(1) }]);
    assert.deepEqual(digests(evaluate(p, images)), ['sha256:bbbb', 'sha256:cccc']);
    assert.deepEqual(digests(evaluate(p, [images[2]!, images[0]!, images[1]!])), ['sha256:bbbb', 'sha256:cccc']);
  });

  test('sinceImagePushed: exactly N days is kept, a millisecond more expires', () => {
    const images = [image('exact', { pushed: 7 }), image('just-over', { pushed: 7 + 1 / DAY })];
    assert.deepEqual(digests(evaluate(policy([1, { tagStatus: 'any', ...OLDER_THAN(7) }]), images)), ['just-over']);
  });

  test('sinceImagePulled expires on the last pull; a never-pulled image counts from its push; a later push counts as use', () => {
    const images = [
      image('pulled-long-ago', { pushed: 100, pulled: 40 }),
      image('pulled-recently', { pushed: 100, pulled: 5 }),
      image('never-pulled-old', { pushed: 40 }),
      image('never-pulled-new', { pushed: 10 }),
      image('pushed-again-after-pull', { pushed: 5, pulled: 50 }),
    ];
    const result = evaluate(policy([1, { tagStatus: 'any', ...NOT_PULLED_FOR(30) }]), images);
    assert.deepEqual(digests(result), ['pulled-long-ago', 'never-pulled-old']);
  });

  test('tagged rules ignore untagged images and untagged rules ignore tagged ones', () => {
    const images = [image('t', { tags: ['v1'], pushed: 50 }), image('u', { pushed: 50 })];
    assert.deepEqual(digests(evaluate(policy([1, TAGGED(['v'], OLDER_THAN(1))]), images)), ['t']);
    assert.deepEqual(digests(evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(1) }]), images)), ['u']);
  });

  test('a manifest listed twice in the input is counted once', () => {
    const images = [image('a', { pushed: 3 }), image('b', { pushed: 2 }), image('b', { pushed: 2 })];
    assert.deepEqual(digests(evaluateLifecyclePolicy(policy([1, { tagStatus: 'untagged', ...KEEP(1) }]), images, NOW)), ['a']);
  });

  test('nothing to expire, or nothing in the repository, gives an empty list', () => {
    const p = policy([1, { tagStatus: 'any', ...KEEP(10) }]);
    assert.deepEqual(evaluate(p, [image('a', { pushed: 1 }), image('b', { tags: ['x'], pushed: 2 })]), []);
    assert.deepEqual(evaluate(p, []), []);
  });
});

describe('lifecycle evaluator: index and referrer graphs', () => {
  // A buildx-style multi-arch image: an index listing two platform manifests and an
  // attestation manifest, a cosign-style signature of the index (OCI subject) and
  // an SBOM attached to the amd64 manifest.
  function multiArch(prefix: string, spec: { tags?: readonly string[]; pushed: number }): LifecycleImage[] {
    return [
      image(`${prefix}-index`, { tags: spec.tags ?? [], pushed: spec.pushed, children: [`${prefix}-amd64`, `${prefix}-arm64`, `${prefix}-att`] }),
      image(`${prefix}-amd64`, { pushed: spec.pushed }),
      image(`${prefix}-arm64`, { pushed: spec.pushed }),
      image(`${prefix}-att`, { pushed: spec.pushed }),
      image(`${prefix}-sig`, { pushed: spec.pushed, subject: `${prefix}-index` }),
      image(`${prefix}-sbom`, { pushed: spec.pushed, subject: `${prefix}-amd64` }),
    ];
  }

  test('an untagged rule never expires the untagged children of a kept index on their own', () => {
    const images = [...multiArch('app', { tags: ['v1'], pushed: 30 }), image('loose', { pushed: 30 })];
    assert.deepEqual(digests(evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(7) }]), images)), ['loose']);
    assert.deepEqual(digests(evaluate(policy([1, { tagStatus: 'untagged', ...KEEP(1) }]), images)), []);
  });

  test('count rules count top-level manifests only: an index counts once, not its children', () => {
    const images = [...multiArch('app', { pushed: 2 }), image('loose', { pushed: 5 })];
    const result = evaluate(policy([1, { tagStatus: 'untagged', ...KEEP(1) }]), images);
    assert.deepEqual(digests(result), ['loose']);
  });

  test('an expired index takes its children, their attestations and its signature along, in a safe order', () => {
    const images = [...multiArch('old', { pushed: 20 }), ...multiArch('new', { tags: ['latest'], pushed: 1 })];
    const result = evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(7) }]), images);
    assert.deepEqual(
      result.map((e) => [e.digest, e.reason, e.via ?? null, e.rulePriority]),
      [
        ['old-sig', 'referrer', 'old-index', 1],
        ['old-index', 'rule', null, 1],
        ['old-arm64', 'index-child', 'old-index', 1],
        ['old-att', 'index-child', 'old-index', 1],
        ['old-sbom', 'referrer', 'old-amd64', 1],
        ['old-amd64', 'index-child', 'old-index', 1],
      ],
    );
  });

  test('a tagged index expired by a tagged rule carries its graph the same way', () => {
    const images = [...multiArch('r1', { tags: ['release-1'], pushed: 20 }), ...multiArch('r2', { tags: ['release-2'], pushed: 10 })];
    const result = evaluate(policy([1, PATTERNS(['release-*'], KEEP(1))]), images);
    assert.deepEqual(new Set(digests(result)), new Set(images.filter((i) => i.digest.startsWith('r1-')).map((i) => i.digest)));
    assert.ok(result.every((e) => e.rulePriority === 1));
  });

  test('a child shared by a kept index and an expired index stays', () => {
    const images = [
      image('kept-index', { tags: ['stable'], pushed: 30, children: ['shared', 'kept-only'] }),
      image('expired-index', { pushed: 30, children: ['shared', 'expired-only'] }),
      image('shared', { pushed: 30 }),
      image('kept-only', { pushed: 30 }),
      image('expired-only', { pushed: 30 }),
      image('shared-sbom', { pushed: 30, subject: 'shared' }),
    ];
    const result = evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(7) }]), images);
    assert.deepEqual(result.map((e) => [e.digest, e.reason]), [
      ['expired-index', 'rule'],
      ['expired-only', 'index-child'],
    ]);
  });

  test('the signature of an expired image goes; the signature of a kept image stays', () => {
    const images = [
      image('x', { tags: ['old-1'], pushed: 20 }),
      image('y', { tags: ['new-1'], pushed: 1 }),
      image('sig-x', { pushed: 20, subject: 'x' }),
      image('sig-y', { pushed: 1, subject: 'y' }),
    ];
    const result = evaluate(policy([1, TAGGED(['old'], OLDER_THAN(10))]), images);
    assert.deepEqual(result, [
      { digest: 'sig-x', tags: [], pushedAt: daysAgo(20), rulePriority: 1, reason: 'referrer', via: 'x' },
      { digest: 'x', tags: ['old-1'], pushedAt: daysAgo(20), rulePriority: 1, reason: 'rule' },
    ]);
  });

  test('referrers of referrers go too, the outermost first', () => {
    const images = [
      image('x', { pushed: 20 }),
      image('sig', { pushed: 19, subject: 'x' }),
      image('countersig', { pushed: 18, subject: 'sig' }),
    ];
    const result = evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(10) }]), images);
    assert.deepEqual(result.map((e) => [e.digest, e.reason, e.via ?? null]), [
      ['countersig', 'referrer', 'sig'],
      ['sig', 'referrer', 'x'],
      ['x', 'rule', null],
    ]);
  });

  test('nested indexes expire level by level, parents first', () => {
    const images = [
      image('top', { pushed: 10, children: ['nested', 'leaf3'] }),
      image('nested', { pushed: 10, children: ['leaf1', 'leaf2'] }),
      image('leaf1', { pushed: 10 }),
      image('leaf2', { pushed: 10 }),
      image('leaf3', { pushed: 10 }),
    ];
    const result = evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(7) }]), images);
    assert.deepEqual(result.map((e) => [e.digest, e.reason, e.via ?? null]), [
      ['top', 'rule', null],
      ['nested', 'index-child', 'top'],
      ['leaf3', 'index-child', 'top'],
      ['leaf1', 'index-child', 'nested'],
      ['leaf2', 'index-child', 'nested'],
    ]);
  });

  test('a tagged child of a kept index is not expired even when a rule selects it', () => {
    const images = [
      image('index', { tags: ['latest'], pushed: 1, children: ['amd64'] }),
      image('amd64', { tags: ['amd64-old'], pushed: 30 }),
    ];
    assert.deepEqual(evaluate(policy([1, TAGGED(['amd64'], OLDER_THAN(7))]), images), []);
  });

  test('a referrer reachable from a kept image stays with it although its subject expires', () => {
    const images = [
      image('x', { pushed: 20 }),
      image('r', { pushed: 20, subject: 'x' }),
      image('keeper', { tags: ['keep'], pushed: 20, children: ['r'] }),
    ];
    assert.deepEqual(digests(evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(10) }]), images)), ['x']);
  });

  test('a tagged referrer is its own top-level image: it outlives its expired subject unless a rule expires it', () => {
    const images = [image('x', { tags: ['old-1'], pushed: 20 }), image('tagged-sig', { tags: ['sig-1'], pushed: 20, subject: 'x' })];
    assert.deepEqual(digests(evaluate(policy([1, TAGGED(['old'], OLDER_THAN(10))]), images)), ['x']);
    assert.deepEqual(
      evaluate(policy([1, TAGGED(['old'], OLDER_THAN(10))], [2, TAGGED(['sig'], OLDER_THAN(10))]), images).map((e) => [e.digest, e.reason]),
      [
        ['tagged-sig', 'rule'],
        ['x', 'rule'],
      ],
    );
  });

  test('a referrer whose subject is not in the repository is top-level and the rules see it', () => {
    const images = [image('orphan-sig', { pushed: 20, subject: 'sha256:gone' }), image('fresh', { pushed: 1 })];
    assert.deepEqual(
      evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(10) }]), images).map((e) => [e.digest, e.reason]),
      [['orphan-sig', 'rule']],
    );
  });

  test('an index listing manifests the repository lacks expires alone', () => {
    const images = [image('index', { pushed: 20, children: ['sha256:elsewhere', 'present'] }), image('present', { pushed: 20 })];
    assert.deepEqual(
      evaluate(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(10) }]), images).map((e) => [e.digest, e.reason]),
      [
        ['index', 'rule'],
        ['present', 'index-child'],
      ],
    );
  });

  test('impossible cycles in malformed input still give every manifest once and terminate', () => {
    const images = [
      image('x', { pushed: 20, children: ['r'] }),
      image('r', { pushed: 20, subject: 'x' }),
      image('loop-a', { pushed: 20, children: ['loop-b'] }),
      image('loop-b', { pushed: 20, children: ['loop-a'] }),
    ];
    const result = evaluateLifecyclePolicy(policy([1, { tagStatus: 'untagged', ...OLDER_THAN(10) }]), images, NOW);
    assert.deepEqual(digests(result), ['x', 'r']);
  });
});
