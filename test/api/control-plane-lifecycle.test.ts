// Lifecycle policies with the real AWS CLI against a real server: put, get, delete,
// ECR's messages for invalid policies, previews with the CLI's waiter, filters, image
// ids and pages, IAM authorization of the lifecycle actions, and `berth lifecycle run`
// next to the running server expiring exactly what the preview listed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { awsCli } from '../helpers/aws-cli.ts';
import { berthMain, startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, run } from '../helpers/clients.ts';
import { pushTinyImage } from '../helpers/tiny-image.ts';

const missing = missingTools('aws');
const skip = missing.length > 0 && `not installed: ${missing.join(', ')}`;
const ACCOUNT = '123456789012';
const REPO = 'lc/app';
let berth: BerthProcess;

before(async () => {
  // The schedule stays off: this test decides when a policy runs.
  berth = await startBerth({ env: { BERTH_LIFECYCLE_ENABLED: 'false' } });
});
after(async () => {
  await berth?.stop();
});

async function aws<T = Record<string, unknown>>(args: string[], options: Parameters<typeof awsCli>[2] = {}): Promise<T> {
  const { stdout } = await awsCli(berth, args, options);
  return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
}

async function awsError(args: string[], options: Parameters<typeof awsCli>[2] = {}): Promise<string> {
  const outcome = await awsCli(berth, args, options).then(
    (result) => ({ failed: false, stderr: result.stdout }),
    (error: { stderr: string }) => ({ failed: true, stderr: error.stderr }),
  );
  assert.ok(outcome.failed, `expected aws ${args.join(' ')} to fail; it answered ${outcome.stderr}`);
  return outcome.stderr;
}

/** The CLI's one-line rendering of an ECR error. */
function cliError(operation: string, code: string, message: string): string {
  return `An error occurred (${code}) when calling the ${operation} operation: ${message}`;
}

async function push(repository: string, tag: string, seed: string): Promise<string> {
  const { authorization } = await berth.login();
  const pushed = await pushTinyImage(berth.url, repository, tag, authorization, { config: Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed })) });
  assert.equal(pushed.status, 201, pushed.body);
  return pushed.digest;
}

/** A timestamp as the CLI prints it: epoch seconds (v1) or ISO 8601 (v2's default). */
function epochSeconds(value: unknown): number {
  if (typeof value === 'number') return value;
  assert.equal(typeof value, 'string', `a timestamp, got ${String(value)}`);
  return Date.parse(value as string) / 1000;
}

function rule(rulePriority: number, selection: Record<string, unknown>): object {
  return { rulePriority, selection, action: { type: 'expire' } };
}

const POLICY = JSON.stringify({
  rules: [
    rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }),
    rule(2, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }),
  ],
});

interface Preview {
  registryId: string;
  repositoryName: string;
  lifecyclePolicyText: string;
  status: string;
  previewResults: Array<{ imageTags?: string[]; imageDigest: string; imagePushedAt: number; action: { type: string }; appliedRulePriority: number; storageClass: string }>;
  summary?: { expiringImageTotalCount: number };
  nextToken?: string;
}

test('put, get and delete a lifecycle policy; the not-found answers', { skip }, async () => {
  await aws(['ecr', 'create-repository', '--repository-name', 'lc/crud']);
  assert.equal(
    (await awsError(['ecr', 'get-lifecycle-policy', '--repository-name', 'lc/crud'])).trim(),
    cliError('GetLifecyclePolicy', 'LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name 'lc/crud' in the registry with id '${ACCOUNT}'`),
  );
  assert.match(await awsError(['ecr', 'delete-lifecycle-policy', '--repository-name', 'lc/crud']), /LifecyclePolicyNotFoundException/);
  assert.match(await awsError(['ecr', 'put-lifecycle-policy', '--repository-name', 'lc/nowhere', '--lifecycle-policy-text', POLICY]), /RepositoryNotFoundException.*'lc\/nowhere'/);

  const put = await aws(['ecr', 'put-lifecycle-policy', '--repository-name', 'lc/crud', '--lifecycle-policy-text', POLICY]);
  assert.deepEqual(put, { registryId: ACCOUNT, repositoryName: 'lc/crud', lifecyclePolicyText: POLICY });
  // Before the first run lastEvaluatedAt is the epoch, as ECR answers; Put's answer has none.
  const { lastEvaluatedAt: gotAt, ...got } = await aws(['ecr', 'get-lifecycle-policy', '--repository-name', 'lc/crud']);
  assert.deepEqual(got, { registryId: ACCOUNT, repositoryName: 'lc/crud', lifecyclePolicyText: POLICY });
  assert.equal(epochSeconds(gotAt), 0, 'never evaluated: lastEvaluatedAt is 0');
  const { lastEvaluatedAt: deletedAt, ...deleted } = await aws(['ecr', 'delete-lifecycle-policy', '--repository-name', 'lc/crud']);
  assert.deepEqual(deleted, { registryId: ACCOUNT, repositoryName: 'lc/crud', lifecyclePolicyText: POLICY });
  assert.equal(epochSeconds(deletedAt), 0);
  assert.match(await awsError(['ecr', 'get-lifecycle-policy', '--repository-name', 'lc/crud']), /LifecyclePolicyNotFoundException/);

  // Deleting the repository takes its policy along.
  await aws(['ecr', 'put-lifecycle-policy', '--repository-name', 'lc/crud', '--lifecycle-policy-text', POLICY]);
  await aws(['ecr', 'delete-repository', '--repository-name', 'lc/crud']);
  await aws(['ecr', 'create-repository', '--repository-name', 'lc/crud']);
  assert.match(await awsError(['ecr', 'get-lifecycle-policy', '--repository-name', 'lc/crud']), /LifecyclePolicyNotFoundException/);
});

test('invalid policies get InvalidParameterException with ECR\'s exact message, and nothing is stored', { skip }, async () => {
  await aws(['ecr', 'create-repository', '--repository-name', 'lc/invalid']);
  const cases: Array<[object, string]> = [
    [{ rules: [rule(1, { tagStatus: 'bogus', countType: 'imageCountMoreThan', countNumber: 1 })] }, 'instance value (bogus) not found in enum :(possible values: ["any", "tagged", "untagged"])'],
    [{ rules: [rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })] }, 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.'],
    [
      { rules: [rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }), rule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 })] },
      'Only one rule can select Untagged images per storage class.',
    ],
    [{ rules: [rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 0 })] }, 'numeric instance is lower than the required minimum (minimum: 1, found: 0)'],
  ];
  for (const [policy, reason] of cases) {
    const text = JSON.stringify(policy);
    const expected = `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${reason}'`;
    assert.equal((await awsError(['ecr', 'put-lifecycle-policy', '--repository-name', 'lc/invalid', '--lifecycle-policy-text', text])).trim(), cliError('PutLifecyclePolicy', 'InvalidParameterException', expected));
    assert.equal(
      (await awsError(['ecr', 'start-lifecycle-policy-preview', '--repository-name', 'lc/invalid', '--lifecycle-policy-text', text])).trim(),
      cliError('StartLifecyclePolicyPreview', 'InvalidParameterException', expected),
      'a preview checks the policy the same way',
    );
  }
  assert.match(await awsError(['ecr', 'get-lifecycle-policy', '--repository-name', 'lc/invalid']), /LifecyclePolicyNotFoundException/);
});

test('a preview with the CLI waiter lists what `berth lifecycle run` then expires; filters, image ids and pages', { skip }, async () => {
  const digests: Record<string, string> = {};
  for (const tag of ['v1', 'v2', 'v3', 'v4', 'v5']) digests[tag] = await push(REPO, tag, tag);
  // Three images pushed in turn to `scratch`: the first two are left untagged.
  const untaggedOld = await push(REPO, 'scratch', 'scratch-1');
  const untaggedNew = await push(REPO, 'scratch', 'scratch-2');
  const scratch = await push(REPO, 'scratch', 'scratch-3');

  assert.match(await awsError(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO]), /LifecyclePolicyPreviewNotFoundException/);
  assert.equal(
    (await awsError(['ecr', 'start-lifecycle-policy-preview', '--repository-name', REPO])).trim(),
    cliError('StartLifecyclePolicyPreview', 'LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${REPO}' in the registry with id '${ACCOUNT}'`),
  );
  await aws(['ecr', 'put-lifecycle-policy', '--repository-name', REPO, '--lifecycle-policy-text', POLICY]);
  const started = await aws(['ecr', 'start-lifecycle-policy-preview', '--repository-name', REPO]);
  assert.deepEqual(started, { registryId: ACCOUNT, repositoryName: REPO, lifecyclePolicyText: POLICY, status: 'IN_PROGRESS' });
  const waitStarted = Date.now();
  await awsCli(berth, ['ecr', 'wait', 'lifecycle-policy-preview-complete', '--repository-name', REPO]);
  assert.ok(Date.now() - waitStarted < 15_000, 'the waiter succeeds at its first or second poll');

  const preview = await aws<Preview>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO]);
  assert.equal(preview.status, 'COMPLETE');
  assert.equal(preview.lifecyclePolicyText, POLICY);
  assert.deepEqual(preview.summary, { expiringImageTotalCount: 4 });
  const byDigest = new Map(preview.previewResults.map((result) => [result.imageDigest, result]));
  assert.deepEqual(new Set(byDigest.keys()), new Set([digests.v1, digests.v2, digests.v3, untaggedOld]));
  assert.deepEqual(byDigest.get(digests.v1!), {
    imageTags: ['v1'],
    imageDigest: digests.v1,
    imagePushedAt: byDigest.get(digests.v1!)!.imagePushedAt,
    action: { type: 'EXPIRE' },
    appliedRulePriority: 1,
    storageClass: 'STANDARD',
  });
  assert.ok(Math.abs(byDigest.get(digests.v1!)!.imagePushedAt - Date.now() / 1000) < 300, 'imagePushedAt is epoch seconds');
  assert.equal(byDigest.get(untaggedOld)!.appliedRulePriority, 2);
  assert.equal(byDigest.get(untaggedOld)!.imageTags, undefined);

  const untagged = await aws<Preview>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO, '--filter', 'tagStatus=UNTAGGED']);
  assert.deepEqual(untagged.previewResults.map((result) => result.imageDigest), [untaggedOld]);
  assert.equal(untagged.summary?.expiringImageTotalCount, 4, 'the summary counts the whole preview');
  const named = await aws<Preview>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO, '--image-ids', 'imageTag=v2', `imageDigest=${untaggedNew}`]);
  assert.deepEqual(named.previewResults.map((result) => result.imageDigest), [digests.v2], 'an image the preview does not expire is simply not listed');
  const first = await aws<Preview>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO, '--no-paginate', '--max-results', '3']);
  assert.equal(first.previewResults.length, 3);
  const rest = await aws<Preview>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO, '--no-paginate', '--max-results', '3', '--next-token', first.nextToken!]);
  assert.deepEqual([...first.previewResults, ...rest.previewResults].map((result) => result.imageDigest), preview.previewResults.map((result) => result.imageDigest));
  assert.equal(rest.nextToken, undefined);
  const paged = await aws<Preview>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO, '--page-size', '1']);
  assert.deepEqual(paged.previewResults.map((result) => result.imageDigest), preview.previewResults.map((result) => result.imageDigest), 'the CLI paginator follows the tokens');
  assert.match(
    await awsError(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO, '--no-paginate', '--max-results', '2', '--image-ids', 'imageTag=v1']),
    /InvalidParameterException.*imageIds/,
  );
  assert.match(await awsError(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO, '--no-paginate', '--max-results', '101']), /InvalidParameterException.*'maxResults'/);
  assert.match(await awsError(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO, '--no-paginate', '--next-token', 'bm90IGEgdG9rZW4']), /InvalidParameterException.*nextToken/);

  // The run, beside the server, expires exactly the previewed images, in the preview's order.
  const ran = await run(process.execPath, [berthMain, 'lifecycle', 'run', '--repository', REPO, '--data-dir', berth.dataDir], { env: { ...process.env, BERTH_LOG_LEVEL: 'silent' } });
  const expired = [...ran.stdout.matchAll(/^expired lc\/app@(sha256:[0-9a-f]{64}) .* by rule (\d+)/gm)].map((match) => [match[1], Number(match[2])]);
  assert.deepEqual(expired, preview.previewResults.map((result) => [result.imageDigest, result.appliedRulePriority]));
  assert.match(ran.stdout, /^lifecycle run: 1 repository evaluated, 4 images expired \(rule 1: 3, rule 2: 1\) in \d+ ms$/m);
  const listed = await aws<{ imageIds: Array<{ imageDigest: string }> }>(['ecr', 'list-images', '--repository-name', REPO]);
  assert.deepEqual(new Set(listed.imageIds.map((id) => id.imageDigest)), new Set([digests.v4, digests.v5, untaggedNew, scratch]));
  const evaluated = await aws<{ lastEvaluatedAt?: unknown }>(['ecr', 'get-lifecycle-policy', '--repository-name', REPO]);
  assert.ok(Math.abs(epochSeconds(evaluated.lastEvaluatedAt) - Date.now() / 1000) < 300, 'lastEvaluatedAt is the time of the run');

  const log = await run(process.execPath, [berthMain, 'lifecycle', 'log', '--repository', REPO, '--data-dir', berth.dataDir], { env: { ...process.env, BERTH_LOG_LEVEL: 'silent' } });
  const logged = [...log.stdout.matchAll(/expired lc\/app@(sha256:[0-9a-f]{64}) .* by rule (\d+)/g)].map((match) => [match[1], Number(match[2])]);
  assert.deepEqual(logged, [...expired].reverse(), 'the audit log, newest first');

  // A preview of a policy given in the request, without changing the attached one.
  const other = JSON.stringify({ rules: [rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 })] });
  await aws(['ecr', 'start-lifecycle-policy-preview', '--repository-name', REPO, '--lifecycle-policy-text', other]);
  await awsCli(berth, ['ecr', 'wait', 'lifecycle-policy-preview-complete', '--repository-name', REPO]);
  const second = await aws<Preview>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO]);
  assert.equal(second.lifecyclePolicyText, other);
  assert.equal(second.summary?.expiringImageTotalCount, 3);
  assert.equal((await aws<{ lifecyclePolicyText: string }>(['ecr', 'get-lifecycle-policy', '--repository-name', REPO])).lifecyclePolicyText, POLICY);
});

test('the lifecycle actions are authorized like every other: a reader may get a policy but not put one', { skip }, async () => {
  await aws(['ecr', 'create-repository', '--repository-name', 'lc/guarded']);
  await aws(['ecr', 'put-lifecycle-policy', '--repository-name', 'lc/guarded', '--lifecycle-policy-text', POLICY]);
  await aws(['iam', 'create-user', '--user-name', 'lc-reader']);
  const key = (await aws<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>(['iam', 'create-access-key', '--user-name', 'lc-reader'])).AccessKey;
  const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetLifecyclePolicy', 'ecr:GetLifecyclePolicyPreview'], Resource: '*' }] };
  await aws(['iam', 'put-user-policy', '--user-name', 'lc-reader', '--policy-name', 'read', '--policy-document', JSON.stringify(allow)]);
  const reader = { user: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey } };
  assert.equal((await aws<{ lifecyclePolicyText: string }>(['ecr', 'get-lifecycle-policy', '--repository-name', 'lc/guarded'], reader)).lifecyclePolicyText, POLICY);
  for (const [command, action] of [
    [['put-lifecycle-policy', '--lifecycle-policy-text', POLICY], 'ecr:PutLifecyclePolicy'],
    [['delete-lifecycle-policy'], 'ecr:DeleteLifecyclePolicy'],
    [['start-lifecycle-policy-preview'], 'ecr:StartLifecyclePolicyPreview'],
  ] as const) {
    const denied = await awsError(['ecr', command[0], '--repository-name', 'lc/guarded', ...command.slice(1)], reader);
    assert.match(denied, new RegExp(`AccessDeniedException.*user/lc-reader is not authorized to perform: ${action} on resource: arn:aws:ecr:us-east-1:${ACCOUNT}:repository/lc/guarded`));
  }
});
