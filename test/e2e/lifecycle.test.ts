// End-to-end: lifecycle policies as a user runs them. skopeo pushes releases, a
// signature (an untagged referrer), two untagged multi-arch indexes and a tagged one;
// the AWS CLI puts a policy, starts a preview and waits for it with its waiter; then
// `berth lifecycle run`, beside the running server, expires exactly the previewed
// images: the old release with its signature, the older untagged index with its
// children — while the children of the kept indexes stay pullable — and the audit
// log names the rules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli } from '../helpers/aws-cli.ts';
import { berthMain, startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, run, Skopeo, ToolSandbox, type ClientTls } from '../helpers/clients.ts';
import { OciLayout, type BuiltImage, type BuiltIndex, type BuiltArtifact } from '../helpers/oci-images.ts';

const missing = missingTools('skopeo', 'aws');
const skip = missing.length > 0 && `not installed: ${missing.join(', ')}`;
const REPO = 'e2e/lifecycle';

let berth: BerthProcess;
let sandbox: ToolSandbox;
let skopeo: Skopeo;
let tls: ClientTls;
let work: string;

before(async () => {
  if (skip) return;
  // The schedule stays off: the test runs the policy itself.
  berth = await startBerth({ env: { BERTH_LIFECYCLE_ENABLED: 'false' } });
  sandbox = await ToolSandbox.create();
  skopeo = new Skopeo(sandbox);
  tls = await sandbox.tlsFor({ scheme: 'http', hostPort: berth.hostPort, caPem: undefined, caPath: undefined });
  await skopeo.login(berth.hostPort, await berth.login(), tls);
  work = await mkdtemp(join(tmpdir(), 'berth-e2e-lifecycle-'));
});

after(async () => {
  await berth?.stop();
  await sandbox?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

async function aws<T>(args: string[]): Promise<T> {
  const { stdout } = await awsCli(berth, args);
  return JSON.parse(stdout) as T;
}

async function berthCli(...args: string[]): Promise<string> {
  const result = await run(process.execPath, [berthMain, ...args, '--data-dir', berth.dataDir], { env: { ...process.env, BERTH_LOG_LEVEL: 'silent' } });
  return result.stdout;
}

/** skopeo copy from the layout to the registry, by tag or (untagged) by digest; --all for an index. */
async function push(layout: OciLayout, name: string, digest: string, tag: string | undefined, all = false): Promise<void> {
  const destination = tag === undefined ? `docker://${berth.hostPort}/${REPO}@${digest}` : `docker://${berth.hostPort}/${REPO}:${tag}`;
  await skopeo.copy(`oci:${layout.dir}:${name}`, destination, { destTls: tls, all });
}

interface Images {
  v1: BuiltImage;
  v2: BuiltImage;
  v3: BuiltImage;
  signature: BuiltArtifact;
  oldIndex: BuiltIndex;
  newIndex: BuiltIndex;
  stable: BuiltIndex;
}

async function pushImages(): Promise<Images> {
  const layout = await OciLayout.create(join(work, 'layout'));
  const small = [{ randomBytes: 4096 }];
  const v1 = await layout.addImage({ layers: small });
  const v2 = await layout.addImage({ layers: small });
  const v3 = await layout.addImage({ layers: small });
  const signature = await layout.addArtifact({ subject: v1.manifest, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' });
  const oldIndex = await layout.addIndex({ layers: small });
  const newIndex = await layout.addIndex({ layers: small });
  const stable = await layout.addIndex({ layers: small });
  const named: Array<[string, { digest: string; mediaType: string; size: number }]> = [
    ['v1', v1.manifest], ['v2', v2.manifest], ['v3', v3.manifest], ['signature', signature.manifest],
    ['old-index', oldIndex.index], ['new-index', newIndex.index], ['stable', stable.index],
  ];
  for (const [name, descriptor] of named) await layout.tag(descriptor, name);
  // In push order: what a policy counts "oldest first" by.
  await push(layout, 'v1', v1.manifest.digest, 'v1');
  await push(layout, 'signature', signature.manifest.digest, undefined);
  await push(layout, 'old-index', oldIndex.index.digest, undefined, true);
  await push(layout, 'v2', v2.manifest.digest, 'v2');
  await push(layout, 'stable', stable.index.digest, 'stable', true);
  await push(layout, 'v3', v3.manifest.digest, 'v3');
  await push(layout, 'new-index', newIndex.index.digest, undefined, true);
  return { v1, v2, v3, signature, oldIndex, newIndex, stable };
}

const POLICY = JSON.stringify({
  rules: [
    { rulePriority: 1, description: 'two releases', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'one untagged', selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
  ],
});

interface Preview {
  status: string;
  previewResults: Array<{ imageDigest: string; imageTags?: string[]; appliedRulePriority: number }>;
  summary: { expiringImageTotalCount: number };
}

test('a preview lists exactly what berth lifecycle run then expires; index children and signatures follow their image', { skip, timeout: 180_000 }, async () => {
  const images = await pushImages();
  const digestsIn = async () => new Set((await aws<{ imageIds: Array<{ imageDigest: string }> }>(['ecr', 'list-images', '--repository-name', REPO])).imageIds.map((id) => id.imageDigest));
  const children = (index: BuiltIndex) => index.images.map((image) => image.manifest.digest);
  const all = [
    images.v1.manifest.digest, images.v2.manifest.digest, images.v3.manifest.digest, images.signature.manifest.digest,
    images.oldIndex.index.digest, ...children(images.oldIndex), images.newIndex.index.digest, ...children(images.newIndex),
    images.stable.index.digest, ...children(images.stable),
  ];
  assert.deepEqual(await digestsIn(), new Set(all), 'every pushed manifest is an image of the repository');

  await awsCli(berth, ['ecr', 'put-lifecycle-policy', '--repository-name', REPO, '--lifecycle-policy-text', POLICY]);
  const started = await aws<{ status: string }>(['ecr', 'start-lifecycle-policy-preview', '--repository-name', REPO]);
  assert.equal(started.status, 'IN_PROGRESS');
  await awsCli(berth, ['ecr', 'wait', 'lifecycle-policy-preview-complete', '--repository-name', REPO]);
  const preview = await aws<Preview>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO]);
  assert.equal(preview.status, 'COMPLETE');

  const expected = new Map<string, number>([
    [images.v1.manifest.digest, 1],
    [images.signature.manifest.digest, 1],
    [images.oldIndex.index.digest, 2],
    ...children(images.oldIndex).map((digest): [string, number] => [digest, 2]),
  ]);
  const previewed = new Map(preview.previewResults.map((result) => [result.imageDigest, result.appliedRulePriority]));
  assert.deepEqual(previewed, expected, 'the old release with its signature, the older untagged index with its children');
  assert.equal(preview.summary.expiringImageTotalCount, 5);

  const output = await berthCli('lifecycle', 'run');
  const expired = new Map([...output.matchAll(/^expired e2e\/lifecycle@(sha256:[0-9a-f]{64}) .* by rule (\d+)/gm)].map((match) => [match[1]!, Number(match[2])]));
  assert.deepEqual(expired, previewed, `the run expires exactly the preview:\n${output}`);
  assert.match(output, /^lifecycle run: 1 repository evaluated, 5 images expired \(rule 1: 2, rule 2: 3\) in \d+ ms$/m);

  const left = await digestsIn();
  assert.deepEqual(left, new Set(all.filter((digest) => !expected.has(digest))));
  for (const child of [...children(images.newIndex), ...children(images.stable)]) assert.ok(left.has(child), `child ${child} of a kept index stays`);
  // What stays is still pullable, children included.
  const stableChild = await skopeo.inspectRaw(`docker://${berth.hostPort}/${REPO}@${images.stable.images[1]!.manifest.digest}`, tls);
  assert.deepEqual(stableChild, images.stable.images[1]!.manifestBytes);
  const gone = await awsCli(berth, ['ecr', 'describe-images', '--repository-name', REPO, '--image-ids', `imageDigest=${images.v1.manifest.digest}`]).then(
    () => '',
    (error: { stderr: string }) => error.stderr,
  );
  assert.match(gone, /ImageNotFoundException/);
  const log = await berthCli('lifecycle', 'log', '--repository', REPO);
  const logged = new Map([...log.matchAll(/expired e2e\/lifecycle@(sha256:[0-9a-f]{64}) .* by rule (\d+)/g)].map((match) => [match[1]!, Number(match[2])]));
  assert.deepEqual(logged, expected, `the audit log has every expiry with its rule:\n${log}`);
  assert.match(log, new RegExp(`referrer of ${images.v1.manifest.digest}`));
  assert.match(log, new RegExp(`child of index ${images.oldIndex.index.digest}`));

  const policy = await aws<{ lastEvaluatedAt?: number }>(['ecr', 'get-lifecycle-policy', '--repository-name', REPO]);
  assert.ok(policy.lastEvaluatedAt !== undefined && Math.abs(policy.lastEvaluatedAt - Date.now() / 1000) < 300);
  // Evaluated again, the policy finds nothing more.
  assert.match(await berthCli('lifecycle', 'run', '--repository', REPO, '--dry-run'), /^lifecycle dry run: 1 repository evaluated, 0 images would expire in \d+ ms$/m);
});
