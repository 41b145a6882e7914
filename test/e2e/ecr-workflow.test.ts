// The ECR workflow a platform team runs, with the real AWS CLI and skopeo against a
// fresh `berth serve`, using only the credentials its first start printed:
// log in and push as the administrator, make a pull-only user, pull as that user,
// be refused a push, then lose access when the key is deactivated; tokens that are
// expired or altered are refused with the OCI UNAUTHORIZED code.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, Skopeo, ToolSandbox } from '../helpers/clients.ts';
import { buildTestImages, type TestImageSet } from '../helpers/oci-images.ts';
import { awsCli } from '../helpers/aws-cli.ts';
import type { AccessKey } from '../helpers/registry-login.ts';
import { issueToken } from '../../src/auth/tokens/registry-token.ts';

const missing = missingTools('aws', 'skopeo');
const PLAIN_HTTP = { scheme: 'http' } as const;

describe('ECR workflow: AWS CLI + skopeo against `berth serve`', { skip: missing.length ? `not installed: ${missing.join(', ')}` : false }, () => {
  let berth: BerthProcess;
  let work: string;
  let images: TestImageSet;
  const sandboxes: ToolSandbox[] = [];
  let reader: AccessKey;

  before(async () => {
    berth = await startBerth();
    work = await mkdtemp(join(tmpdir(), 'berth-ecr-workflow-'));
    images = await buildTestImages(join(work, 'layout'));
  });
  after(async () => {
    for (const sandbox of sandboxes) await sandbox.cleanup();
    await berth?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The AWS CLI as a user would run it: the administrator's credentials file, or a user's keys. */
  const aws = (args: string[], user?: AccessKey) => awsCli(berth, args, { user });

  /** `aws ecr get-login-password | skopeo login --password-stdin` in a fresh tool sandbox. */
  async function loggedInSkopeo(user?: AccessKey): Promise<Skopeo> {
    const sandbox = await ToolSandbox.create();
    sandboxes.push(sandbox);
    const skopeo = new Skopeo(sandbox);
    const password = (await aws(['ecr', 'get-login-password'], user)).stdout.trim();
    await skopeo.login(berth.hostPort, { username: 'AWS', password }, PLAIN_HTTP);
    return skopeo;
  }

  const image = (tag: string) => `docker://${berth.hostPort}/platform/service:${tag}`;

  it('the administrator logs in with get-login-password and pushes with skopeo', async () => {
    const skopeo = await loggedInSkopeo();
    await skopeo.copy(`oci:${images.layout.dir}:single`, image('1.0'), { destTls: PLAIN_HTTP });
    const described = JSON.parse((await aws(['ecr', 'describe-images', '--repository-name', 'platform/service'])).stdout) as { imageDetails: Array<{ imageDigest: string; imageTags: string[] }> };
    assert.deepEqual(described.imageDetails.map((detail) => [detail.imageDigest, detail.imageTags]), [[images.single.manifest.digest, ['1.0']]]);
  });

  it('a pull-only user made with aws iam pulls with skopeo and is denied a push', async () => {
    await aws(['iam', 'create-user', '--user-name', 'ci-reader']);
    const pullOnly = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: '*' }],
    };
    await aws(['iam', 'put-user-policy', '--user-name', 'ci-reader', '--policy-name', 'pull-only', '--policy-document', JSON.stringify(pullOnly)]);
    const key = (JSON.parse((await aws(['iam', 'create-access-key', '--user-name', 'ci-reader'])).stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } }).AccessKey;
    reader = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    const identity = JSON.parse((await aws(['sts', 'get-caller-identity'], reader)).stdout) as { Arn: string };
    assert.equal(identity.Arn, 'arn:aws:iam::123456789012:user/ci-reader');

    const skopeo = await loggedInSkopeo(reader);
    const pulled = join(work, 'pulled');
    await skopeo.copy(image('1.0'), `oci:${pulled}:1.0`, { srcTls: PLAIN_HTTP });
    const index = JSON.parse(await readFile(join(pulled, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(index.manifests[0]!.digest, images.single.manifest.digest);

    const push = await skopeo.copy(`oci:${images.layout.dir}:single`, image('reader'), { destTls: PLAIN_HTTP }).catch((error: { stderr: string }) => error);
    assert.match((push as { stderr?: string }).stderr ?? '', /denied|403|not authorized/i, 'a pull-only user cannot push');
    const created = await aws(['ecr', 'create-repository', '--repository-name', 'reader/own'], reader).catch((error: { stderr: string }) => error);
    assert.match((created as { stderr?: string }).stderr ?? '', /AccessDeniedException/);
  });

  it('deactivating the user\'s key ends its registry login at once', async () => {
    const skopeo = await loggedInSkopeo(reader);
    await aws(['iam', 'update-access-key', '--user-name', 'ci-reader', '--access-key-id', reader.accessKeyId, '--status', 'Inactive']);
    const refused = await skopeo.raw(['inspect', '--raw', '--tls-verify=false', image('1.0')]).catch((error: { stderr: string }) => error);
    assert.match((refused as { stderr?: string }).stderr ?? '', /unauthorized|authentication required|401/i);
  });

  it('an expired or altered token gets 401 UNAUTHORIZED with the Basic challenge', async () => {
    const serverKey = await readFile(join(berth.dataDir, 'server.key'));
    const admin = JSON.parse((await aws(['sts', 'get-caller-identity'])).stdout) as { Arn: string };
    const accessKeyId = /aws_access_key_id\s*=\s*(\S+)/.exec(await readFile(join(berth.dataDir, 'credentials'), 'utf8'))![1]!;
    const thirteenHoursAgo = Date.now() - 13 * 3600_000;
    const expired = issueToken({ accountId: '123456789012', principalArn: admin.Arn, accessKeyId }, serverKey, thirteenHoursAgo).token;
    const fresh = issueToken({ accountId: '123456789012', principalArn: admin.Arn, accessKeyId }, serverKey).token;
    const altered = fresh.replace(/\.([^.]*)$/, (_, mac: string) => `.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`);
    for (const [what, token, status] of [['fresh', fresh, 200], ['expired', expired, 401], ['altered', altered, 401]] as const) {
      const response = await fetch(`${berth.url}/v2/platform/service/manifests/1.0`, {
        headers: { Authorization: `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`, Accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      assert.equal(response.status, status, what);
      if (status === 401) {
        assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm=/, what);
        assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNAUTHORIZED', what);
      }
    }
  });
});
