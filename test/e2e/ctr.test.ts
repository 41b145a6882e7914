// End-to-end: containerd's ctr against the registry under test, over HTTP (--plain-http)
// and HTTPS (--tlscacert), with a private containerd started by the test (own config,
// root, state and socket in a temp dir). Pulls images that skopeo pushed, pushes them
// back to another repository, and pushes freshly imported content, which containerd
// uploads as whole-blob PUTs. Compares digests and blob bytes.
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Containerd,
  Skopeo,
  ToolSandbox,
  getBlob,
  getManifest,
  missingTools,
  repoName,
  run,
  startTestRegistry,
  withDiagnostics,
  formatRequest,
  type ClientTls,
  type TestRegistry,
} from '../helpers/clients.ts';
import { buildTestImages, sha256, type BuiltImage, type TestImageSet } from '../helpers/oci-images.ts';

const missing = missingTools('containerd', 'ctr', 'skopeo', 'tar');

describe('ctr with a private containerd', { skip: missing.length ? `not installed: ${missing.join(', ')}` : false }, () => {
  let containerd: Containerd;

  before(async () => {
    containerd = await Containerd.start();
  });

  after(async () => {
    await containerd?.stop();
  });

  for (const tls of [false, true]) {
    const label = tls ? 'HTTPS' : 'HTTP';
    describe(`over ${label}`, () => {
      let registry: TestRegistry | undefined;
      let sandbox: ToolSandbox;
      let clientTls: ClientTls;
      let work: string;
      let images: TestImageSet;
      let imported: TestImageSet;
      let host: string;

      let repo = 'team-a/ctr/source';
      let target = 'team-b/ctr/pushed';
      let importRepo = 'team-c/ctr/imported';

      before(async () => {
        registry = await startTestRegistry({ tls });
        if (!registry) return;
        repo = repoName(registry, repo);
        target = repoName(registry, target);
        importRepo = repoName(registry, importRepo);
        sandbox = await ToolSandbox.create();
        clientTls = await sandbox.tlsFor(registry);
        work = await mkdtemp(join(tmpdir(), 'berth-e2e-ctr-'));
        images = await buildTestImages(join(work, 'layout'));
        imported = await buildTestImages(join(work, 'import-layout'));
        host = registry.hostPort;
        const skopeo = new Skopeo(sandbox);
        const login = registry.login;
        if (login) containerd.login(host, login);
        await withDiagnostics(registry, async () => {
          if (login) await skopeo.login(host, login, clientTls);
          await skopeo.copy(`oci:${images.layout.dir}:single`, `docker://${host}/${repo}:v1`, { destTls: clientTls });
          await skopeo.copy(`oci:${images.layout.dir}:multi`, `docker://${host}/${repo}:multi`, { destTls: clientTls, all: true });
        });
      });

      after(async () => {
        await registry?.stop();
        await sandbox?.cleanup();
        if (work) await rm(work, { recursive: true, force: true });
      });

      const step = (name: string, fn: (reg: TestRegistry, t: TestContext) => Promise<void>) =>
        it(name, { timeout: 120_000 }, async (t) => {
          if (!registry) return t.skip(`registry under test does not serve ${label}`);
          await withDiagnostics(registry, () => fn(registry!, t));
        });

      /** Every blob of `image` is in `repository` with the right bytes. */
      const assertImageBlobs = async (reg: TestRegistry, repository: string, image: BuiltImage) => {
        assert.deepEqual(await getBlob(reg, repository, image.config.digest), image.configBytes);
        for (const layer of image.layers) {
          const blob = await getBlob(reg, repository, layer.descriptor.digest);
          assert.equal(sha256(blob), layer.descriptor.digest);
          assert.equal(blob.length, layer.descriptor.size);
        }
      };

      step('pulls (and unpacks) a single image', async () => {
        await containerd.pull(`${host}/${repo}:v1`, clientTls);
        assert.equal(await containerd.imageDigest(`${host}/${repo}:v1`), images.single.manifest.digest);
      });

      step('pulls a two-platform index for all platforms', async () => {
        await containerd.pull(`${host}/${repo}:multi`, clientTls, { allPlatforms: true });
        assert.equal(await containerd.imageDigest(`${host}/${repo}:multi`), images.multi.index.digest);
        const list = await containerd.images();
        const entry = list.find((i) => i.ref === `${host}/${repo}:multi`);
        assert.match(entry?.platforms ?? '', /linux\/amd64/);
        assert.match(entry?.platforms ?? '', /linux\/arm64/);
      });

      step('pushes the pulled index back to another repository (cross-repository mount)', async (reg) => {
        await containerd.tag(`${host}/${repo}:multi`, `${host}/${target}:multi`);
        const before = reg.requests.length;
        await containerd.push(`${host}/${target}:multi`, clientTls);
        if (reg.recording) {
          // containerd remembers where it pulled each blob from and asks to mount it
          const mounts = reg.requests
            .slice(before)
            .filter((r) => r.method === 'POST' && r.path.startsWith(`/v2/${target}/blobs/uploads/`) && r.path.includes('mount='));
          assert.ok(mounts.length > 0, 'containerd did not try a cross-repository mount');
          assert.ok(mounts.every((r) => decodeURIComponent(r.path).includes(`from=${repo}`)), mounts.map(formatRequest).join('\n'));
          assert.ok(mounts.some((r) => r.status === 201), `no mount succeeded:\n${mounts.map(formatRequest).join('\n')}`);
        }
        const res = await getManifest(reg, target, 'multi');
        assert.equal(res.headers['docker-content-digest'], images.multi.index.digest);
        assert.deepEqual(res.body, images.multi.indexBytes);
        for (const image of images.multi.images) {
          const child = await getManifest(reg, target, image.manifest.digest);
          assert.deepEqual(child.body, image.manifestBytes);
          await assertImageBlobs(reg, target, image);
        }
        await containerd.tag(`${host}/${repo}:v1`, `${host}/${target}:v1`);
        await containerd.push(`${host}/${target}:v1`, clientTls);
        assert.equal((await getManifest(reg, target, 'v1')).headers['docker-content-digest'], images.single.manifest.digest);
        await assertImageBlobs(reg, target, images.single);
      });

      step('pushes imported content with whole-blob PUT uploads', async (reg) => {
        // An OCI archive of content containerd has never seen from any registry, so it
        // cannot mount: it must POST an upload and PUT each blob in one request.
        const archive = join(work, 'import.tar');
        await run('tar', ['-C', imported.layout.dir, '-cf', archive, 'oci-layout', 'index.json', 'blobs']);
        await containerd.importArchive(archive, `${host}/${importRepo}`, { allPlatforms: true });
        assert.equal(await containerd.imageDigest(`${host}/${importRepo}:single`), imported.single.manifest.digest);
        assert.equal(await containerd.imageDigest(`${host}/${importRepo}:multi`), imported.multi.index.digest);

        const before = reg.requests.length;
        await containerd.push(`${host}/${importRepo}:single`, clientTls);
        await containerd.push(`${host}/${importRepo}:multi`, clientTls);

        assert.deepEqual((await getManifest(reg, importRepo, 'single')).body, imported.single.manifestBytes);
        assert.deepEqual((await getManifest(reg, importRepo, 'multi')).body, imported.multi.indexBytes);
        await assertImageBlobs(reg, importRepo, imported.single);
        for (const image of imported.multi.images) await assertImageBlobs(reg, importRepo, image);

        if (reg.recording) {
          const requests = reg.requests.slice(before);
          for (const layer of imported.single.layers) {
            // The last PUT for the blob: a retried push (see Containerd.push) leaves an empty first one.
            const put = requests.findLast(
              (r) => r.method === 'PUT' && r.path.includes(`/v2/${importRepo}/blobs/uploads/`) && decodeURIComponent(r.path).includes(`digest=${layer.descriptor.digest}`),
            );
            assert.ok(put, `no upload PUT for ${layer.descriptor.digest}; requests:\n${requests.map(formatRequest).join('\n')}`);
            assert.equal(put.bodyBytes, layer.descriptor.size, `PUT did not carry the whole blob: ${formatRequest(put)}`);
            assert.equal(put.status, 201, formatRequest(put));
          }
          assert.ok(!requests.some((r) => r.method === 'PATCH'), 'containerd should not PATCH');
        }
      });

      step('pulls the pushed image by digest', async (reg) => {
        // remove the local image so the pull really goes to the registry for the manifest
        await containerd.ctr(['images', 'rm', `${host}/${importRepo}:single`]);
        const ref = `${host}/${importRepo}@${imported.single.manifest.digest}`;
        await containerd.pull(ref, clientTls);
        assert.equal(await containerd.imageDigest(ref), imported.single.manifest.digest);
        assert.ok(reg);
      });
    });
  }
});
