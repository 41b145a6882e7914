// End-to-end: podman (vfs storage in a sandbox) against the registry under test, over
// HTTP and HTTPS. Pulls an image that skopeo pushed, tags it, pushes it to a new
// repository, pulls it again into a fresh store, and compares digests and content.
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  Podman,
  Skopeo,
  ToolSandbox,
  getBlob,
  getManifest,
  missingTools,
  repoName,
  startTestRegistry,
  withDiagnostics,
  type ClientTls,
  type TestRegistry,
} from '../helpers/clients.ts';
import { buildTestImages, sha256, MEDIA_TYPES, type Descriptor, type TestImageSet } from '../helpers/oci-images.ts';

const missing = missingTools('podman', 'skopeo');

interface ManifestJson {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

for (const tls of [false, true]) {
  const label = tls ? 'HTTPS' : 'HTTP';
  describe(`podman over ${label}`, { skip: missing.length ? `not installed: ${missing.join(', ')}` : false }, () => {
    let registry: TestRegistry | undefined;
    let sandbox: ToolSandbox;
    let podman: Podman;
    let clientTls: ClientTls;
    let work: string;
    let images: TestImageSet;
    let host: string;
    let retaggedDigest = '';

    let repo = 'team-a/podman/source';
    let target = 'team-b/podman/retagged';

    before(async () => {
      registry = await startTestRegistry({ tls });
      if (!registry) return;
      repo = repoName(registry, repo);
      target = repoName(registry, target);
      sandbox = await ToolSandbox.create();
      podman = new Podman(sandbox);
      clientTls = await sandbox.tlsFor(registry);
      work = await mkdtemp(join(tmpdir(), 'berth-e2e-podman-'));
      images = await buildTestImages(join(work, 'layout'));
      host = registry.hostPort;
      // seed the registry with skopeo (digest-preserving), which shares podman's login
      const skopeo = new Skopeo(sandbox);
      const login = registry.login;
      await withDiagnostics(registry, async () => {
        if (login) await podman.login(host, login, clientTls);
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

    step('pulls an image pushed by another client', async () => {
      const id = await podman.pull(`${host}/${repo}:v1`, clientTls);
      const info = await podman.inspect(`${host}/${repo}:v1`);
      assert.equal(info.Digest, images.single.manifest.digest);
      assert.equal(`sha256:${info.Id}`, images.single.config.digest, 'image ID is the config digest');
      assert.equal(`sha256:${id}`, images.single.config.digest);
      assert.ok(info.RepoDigests.includes(`${host}/${repo}@${images.single.manifest.digest}`));
    });

    step('pulls the arm64 image out of a two-platform index', async () => {
      const arm = images.multi.images[1]!;
      const id = await podman.pull(`${host}/${repo}:multi`, clientTls, ['--platform', 'linux/arm64/v8']);
      assert.equal(`sha256:${id}`, arm.config.digest);
      const info = await podman.inspect(`${host}/${repo}:multi`);
      assert.equal(info.Architecture, 'arm64');
      assert.ok(
        info.RepoDigests.includes(`${host}/${repo}@${arm.manifest.digest}`) ||
          info.RepoDigests.includes(`${host}/${repo}@${images.multi.index.digest}`),
        `unexpected RepoDigests ${info.RepoDigests.join(', ')}`,
      );
    });

    step('tags and pushes to a new repository with the same content', async (reg) => {
      await podman.tag(`${host}/${repo}:v1`, `${host}/${target}:v2`);
      retaggedDigest = await podman.push(`${host}/${target}:v2`, `docker://${host}/${target}:v2`, clientTls);
      assert.match(retaggedDigest, /^sha256:[0-9a-f]{64}$/);

      const res = await getManifest(reg, target, 'v2');
      assert.equal(res.headers['docker-content-digest'], retaggedDigest);
      assert.equal(sha256(res.body), retaggedDigest);
      const manifest = JSON.parse(res.body.toString('utf8')) as ManifestJson;
      // podman may recompress layers (new blob digests) but config and uncompressed content must be the same
      assert.equal(manifest.config.digest, images.single.config.digest);
      assert.deepEqual(await getBlob(reg, target, manifest.config.digest), images.single.configBytes);
      assert.equal(manifest.layers.length, images.single.layers.length);
      for (const [i, layer] of manifest.layers.entries()) {
        const blob = await getBlob(reg, target, layer.digest);
        assert.equal(sha256(blob), layer.digest);
        assert.equal(blob.length, layer.size);
        assert.equal(sha256(gunzipSync(blob)), images.single.layers[i]!.diffId, `layer ${i} content differs`);
      }
    });

    step('pulls the re-pushed image into a fresh store with the pushed digest', async () => {
      assert.ok(retaggedDigest, 'previous step did not push');
      const fresh = new Podman(sandbox, 'podman-fresh');
      const id = await fresh.pull(`${host}/${target}:v2`, clientTls);
      assert.equal(`sha256:${id}`, images.single.config.digest);
      const info = await fresh.inspect(`${host}/${target}:v2`);
      assert.equal(info.Digest, retaggedDigest);
      const byDigest = await fresh.pull(`${host}/${target}@${retaggedDigest}`, clientTls);
      assert.equal(byDigest, id);
    });

    step('pushes in Docker schema 2 format and the registry serves it as such', async (reg) => {
      const digest = await podman.push(`${host}/${repo}:v1`, `docker://${host}/${target}:docker`, clientTls, ['--format', 'v2s2']);
      const res = await getManifest(reg, target, 'docker');
      assert.equal(res.headers['docker-content-digest'], digest);
      assert.equal(res.headers['content-type'], MEDIA_TYPES.dockerManifest);
      const manifest = JSON.parse(res.body.toString('utf8')) as ManifestJson;
      assert.equal(manifest.mediaType, MEDIA_TYPES.dockerManifest);
      for (const [i, layer] of manifest.layers.entries()) {
        assert.equal(layer.mediaType, MEDIA_TYPES.dockerLayerGzip);
        assert.equal(sha256(gunzipSync(await getBlob(reg, target, layer.digest))), images.single.layers[i]!.diffId);
      }
      const fresh = new Podman(sandbox, 'podman-fresh-docker');
      await fresh.pull(`${host}/${target}:docker`, clientTls);
      assert.equal((await fresh.inspect(`${host}/${target}:docker`)).Digest, digest);
    });
  });
}
