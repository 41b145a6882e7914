// End-to-end: skopeo (containers/image) against the registry under test, over HTTP and HTTPS.
// Pushes images we build ourselves (single image, two-platform index, artifact with a
// subject), copies between repositories (cross-repository blob mount), and pulls back
// into a new OCI layout, comparing digests and bytes at every step.
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Skopeo,
  ToolSandbox,
  ClientError,
  getBlob,
  getManifest,
  missingTools,
  repoName,
  startTestRegistry,
  withDiagnostics,
  formatRequest,
  type ClientTls,
  type TestRegistry,
} from '../helpers/clients.ts';
import { buildTestImages, OciLayout, sha256, MEDIA_TYPES, type TestImageSet, type Descriptor } from '../helpers/oci-images.ts';

const missing = missingTools('skopeo');

for (const tls of [false, true]) {
  const label = tls ? 'HTTPS' : 'HTTP';
  describe(`skopeo over ${label}`, { skip: missing.length ? `not installed: ${missing.join(', ')}` : false }, () => {
    let registry: TestRegistry | undefined;
    let sandbox: ToolSandbox;
    let skopeo: Skopeo;
    let clientTls: ClientTls;
    let work: string;
    let images: TestImageSet;
    let host: string;

    let repo = 'team-a/service/api';
    let mirror = 'team-b/mirror/deep/api';

    before(async () => {
      registry = await startTestRegistry({ tls });
      if (!registry) return;
      repo = repoName(registry, repo);
      mirror = repoName(registry, mirror);
      sandbox = await ToolSandbox.create();
      skopeo = new Skopeo(sandbox);
      clientTls = await sandbox.tlsFor(registry);
      work = await mkdtemp(join(tmpdir(), 'berth-e2e-skopeo-'));
      images = await buildTestImages(join(work, 'src-layout'));
      host = registry.hostPort;
      const login = registry.login;
      if (login) await withDiagnostics(registry, () => skopeo.login(host, login, clientTls));
    });

    after(async () => {
      await registry?.stop();
      await sandbox?.cleanup();
      if (work) await rm(work, { recursive: true, force: true });
    });

    /** Skips when the target registry does not serve this scheme; else runs fn with diagnostics. */
    const step = (name: string, fn: (reg: TestRegistry, t: TestContext) => Promise<void>) =>
      it(name, { timeout: 120_000 }, async (t) => {
        if (!registry) return t.skip(`registry under test does not serve ${label}`);
        await withDiagnostics(registry, () => fn(registry!, t));
      });

    const layoutRef = (name: string) => `oci:${images.layout.dir}:${name}`;

    step('pushes a single image to a three-component repository name', async (reg) => {
      await skopeo.copy(layoutRef('single'), `docker://${host}/${repo}:v1`, { destTls: clientTls });

      const raw = await skopeo.inspectRaw(`docker://${host}/${repo}:v1`, clientTls);
      assert.equal(sha256(raw), images.single.manifest.digest, 'manifest bytes changed on the way');
      assert.deepEqual(raw, images.single.manifestBytes);

      const info = await skopeo.inspect(`docker://${host}/${repo}:v1`, clientTls);
      assert.equal(info.Digest, images.single.manifest.digest);
      assert.deepEqual(info.Layers, images.single.layers.map((l) => l.descriptor.digest));

      const res = await getManifest(reg, repo, 'v1');
      assert.equal(res.headers['docker-content-digest'], images.single.manifest.digest);
      assert.equal(res.headers['content-type'], MEDIA_TYPES.ociManifest);
      for (const layer of images.single.layers) {
        const blob = await getBlob(reg, repo, layer.descriptor.digest);
        assert.equal(sha256(blob), layer.descriptor.digest);
      }
      const config = await getBlob(reg, repo, images.single.config.digest);
      assert.deepEqual(config, images.single.configBytes);
    });

    step('pushes a two-platform index with --all', async () => {
      await skopeo.copy(layoutRef('multi'), `docker://${host}/${repo}:multi`, { destTls: clientTls, all: true });

      const raw = await skopeo.inspectRaw(`docker://${host}/${repo}:multi`, clientTls);
      assert.deepEqual(raw, images.multi.indexBytes);
      for (const image of images.multi.images) {
        const child = await skopeo.inspectRaw(`docker://${host}/${repo}@${image.manifest.digest}`, clientTls);
        assert.deepEqual(child, image.manifestBytes, `${image.platform.architecture} manifest differs`);
      }
      // the client resolves the platform through the index (Digest stays the index's)
      const arm = await skopeo.inspect(`docker://${host}/${repo}:multi`, clientTls, ['--override-arch', 'arm64', '--override-variant', 'v8']);
      assert.equal(arm.Digest, images.multi.index.digest);
      assert.equal(arm.Architecture, 'arm64');
      assert.deepEqual(arm.Layers, images.multi.images[1]!.layers.map((l) => l.descriptor.digest));
      const amd = await skopeo.inspect(`docker://${host}/${repo}:multi`, clientTls, ['--override-arch', 'amd64']);
      assert.equal(amd.Architecture, 'amd64');
      assert.deepEqual(amd.Layers, images.multi.images[0]!.layers.map((l) => l.descriptor.digest));

      const tags = await skopeo.listTags(`docker://${host}/${repo}`, clientTls);
      assert.deepEqual([...tags].sort(), ['multi', 'v1']);
    });

    // skopeo 1.9.3 copies an OCI artifact manifest (artifactType, empty config, subject)
    // unchanged with --preserve-digests, so no raw-HTTP fallback is needed here.
    step('pushes an artifact whose subject is the image', async (reg) => {
      await skopeo.copy(layoutRef('sbom'), `docker://${host}/${repo}:sbom`, { destTls: clientTls });
      const raw = await skopeo.inspectRaw(`docker://${host}/${repo}:sbom`, clientTls);
      assert.deepEqual(raw, images.artifact.manifestBytes);
      const byDigest = await skopeo.inspectRaw(`docker://${host}/${repo}@${images.artifact.manifest.digest}`, clientTls);
      assert.deepEqual(byDigest, images.artifact.manifestBytes);
      const parsed = JSON.parse(raw.toString('utf8')) as { subject: Descriptor; artifactType: string; config: Descriptor };
      assert.equal(parsed.subject.digest, images.single.manifest.digest);
      assert.equal(parsed.config.mediaType, MEDIA_TYPES.ociEmpty);
      const empty = await getBlob(reg, repo, parsed.config.digest);
      assert.equal(empty.toString(), '{}');
      const payload = await getBlob(reg, repo, images.artifact.layers[0]!.digest);
      assert.deepEqual(payload, images.artifact.payloads[0]);
    });

    step('lists the artifact through the referrers API', async (reg, t) => {
      if (reg.kind === 'distribution') return t.skip('Distribution 2.8 has no referrers API');
      const res = await reg.fetch(`/v2/${repo}/referrers/${images.single.manifest.digest}`, {
        headers: { Accept: MEDIA_TYPES.ociIndex },
      });
      assert.equal(res.status, 200, `referrers API answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
      const index = JSON.parse(res.body.toString('utf8')) as { manifests: Descriptor[] };
      const entry = index.manifests.find((d) => d.digest === images.artifact.manifest.digest);
      assert.ok(entry, `artifact not among referrers: ${res.body.toString('utf8')}`);
      assert.equal(entry.artifactType, images.artifact.artifactType);
      assert.equal(entry.size, images.artifact.manifest.size);
    });

    step('copies between repositories with cross-repository blob mounts', async (reg) => {
      const before = reg.requests.length;
      await skopeo.copy(`docker://${host}/${repo}:v1`, `docker://${host}/${mirror}:v1`, { srcTls: clientTls, destTls: clientTls });
      await skopeo.copy(`docker://${host}/${repo}:multi`, `docker://${host}/${mirror}:multi`, {
        srcTls: clientTls,
        destTls: clientTls,
        all: true,
      });
      const single = await getManifest(reg, mirror, 'v1');
      assert.equal(single.headers['docker-content-digest'], images.single.manifest.digest);
      assert.deepEqual(single.body, images.single.manifestBytes);
      const multi = await getManifest(reg, mirror, 'multi');
      assert.deepEqual(multi.body, images.multi.indexBytes);
      for (const layer of [...images.single.layers, ...images.multi.images.flatMap((i) => i.layers)]) {
        assert.equal(sha256(await getBlob(reg, mirror, layer.descriptor.digest)), layer.descriptor.digest);
      }
      if (reg.recording) {
        const mounts = reg.requests
          .slice(before)
          .filter((r) => r.method === 'POST' && r.path.startsWith(`/v2/${mirror}/blobs/uploads/`) && r.path.includes('mount='));
        assert.ok(mounts.length > 0, 'skopeo did not try a cross-repository mount');
        const from = encodeURIComponent(repo);
        assert.ok(mounts.every((r) => r.path.includes(`from=${from}`) || r.path.includes(`from=${repo}`)));
        const mounted = mounts.filter((r) => r.status === 201);
        assert.ok(
          mounted.length > 0,
          `no mount succeeded (201); responses:\n${mounts.map(formatRequest).join('\n')}`,
        );
      }
    });

    step('pulls everything back into a new OCI layout with identical digests', async () => {
      const dest = join(work, 'pulled');
      await skopeo.copy(`docker://${host}/${mirror}:v1`, `oci:${dest}:single`, { srcTls: clientTls });
      await skopeo.copy(`docker://${host}/${mirror}:multi`, `oci:${dest}:multi`, { srcTls: clientTls, all: true });
      await skopeo.copy(`docker://${host}/${repo}:sbom`, `oci:${dest}:sbom`, { srcTls: clientTls });
      const pulled = await OciLayout.create(dest);
      for (const [name, original] of [
        ['single', images.single.manifest],
        ['multi', images.multi.index],
        ['sbom', images.artifact.manifest],
      ] as const) {
        const got = await pulled.resolve(name);
        assert.equal(got.digest, original.digest, `${name}: digest differs after the round trip`);
        const pulledTree = await pulled.verifyTree(got);
        const originalTree = await images.layout.verifyTree(original);
        assert.deepEqual([...pulledTree.keys()].sort(), [...originalTree.keys()].sort(), `${name}: blob set differs`);
      }
    });

    if (tls) step('really uses TLS: without the CA the certificate is rejected', async (reg, t) => {
      if (!reg.caPem) return t.skip('CA of the external registry not given (BERTH_TEST_REGISTRY_CA)');
      const emptyCertDir = join(work, 'no-ca');
      await mkdir(emptyCertDir, { recursive: true });
      await assert.rejects(
        skopeo.inspectRaw(`docker://${host}/${repo}:v1`, { scheme: 'https', certDir: emptyCertDir }),
        (error: unknown) => error instanceof ClientError && /x509|certificate/i.test(error.stderr),
      );
    });

    step('reports a missing tag and a missing repository as errors', async (reg) => {
      await assert.rejects(
        skopeo.inspectRaw(`docker://${host}/${repo}:no-such-tag`, clientTls),
        (error: unknown) => error instanceof ClientError && /manifest unknown|not found/i.test(error.stderr),
      );
      await assert.rejects(
        skopeo.inspectRaw(`docker://${host}/no/such/repository:latest`, clientTls),
        (error: unknown) => error instanceof ClientError && /manifest unknown|name unknown|not found/i.test(error.stderr),
      );
      const res = await reg.fetch(`/v2/${repo}/manifests/no-such-tag`, { headers: { Accept: MEDIA_TYPES.ociManifest } });
      assert.equal(res.status, 404);
      const body = JSON.parse(res.body.toString('utf8')) as { errors: { code: string }[] };
      assert.equal(body.errors[0]?.code, 'MANIFEST_UNKNOWN');
    });
  });
}
