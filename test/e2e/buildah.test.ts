// End-to-end: buildah (vfs storage in a sandbox) against the registry under test, over
// HTTP and HTTPS. Builds an image FROM scratch with files added, pushes it (buildah
// streams blob PATCHes without a Content-Length), pulls it back with skopeo into an OCI
// layout and with buildah into a fresh store, and compares digests and file contents.
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  Buildah,
  Skopeo,
  ToolSandbox,
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
import { OciLayout, readTar, sha256, MEDIA_TYPES, type Descriptor } from '../helpers/oci-images.ts';

const missing = missingTools('buildah', 'skopeo');

interface ManifestJson {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

interface ConfigJson {
  architecture: string;
  os: string;
  config?: { Cmd?: string[]; Labels?: Record<string, string> };
  rootfs: { diff_ids: string[] };
}

for (const tls of [false, true]) {
  const label = tls ? 'HTTPS' : 'HTTP';
  describe(`buildah over ${label}`, { skip: missing.length ? `not installed: ${missing.join(', ')}` : false }, () => {
    let registry: TestRegistry | undefined;
    let sandbox: ToolSandbox;
    let buildah: Buildah;
    let skopeo: Skopeo;
    let clientTls: ClientTls;
    let work: string;
    let host: string;
    let pushedDigest = '';
    let imageId = '';

    let repo = 'builds/buildah/scratch-app';
    const hello = `hello from buildah ${randomBytes(4).toString('hex')}\n`;
    const payload = randomBytes(300 * 1024);
    const labelValue = randomBytes(6).toString('hex');

    before(async () => {
      registry = await startTestRegistry({ tls });
      if (!registry) return;
      repo = repoName(registry, repo);
      sandbox = await ToolSandbox.create();
      buildah = new Buildah(sandbox);
      skopeo = new Skopeo(sandbox);
      clientTls = await sandbox.tlsFor(registry);
      work = await mkdtemp(join(tmpdir(), 'berth-e2e-buildah-'));
      host = registry.hostPort;
      await mkdir(join(work, 'context'));
      await writeFile(join(work, 'context', 'hello.txt'), hello);
      await writeFile(join(work, 'context', 'payload.bin'), payload);
      // skopeo, which reads the results back, shares buildah's login
      const login = registry.login;
      if (login) await withDiagnostics(registry, () => buildah.login(host, login, clientTls));
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

    step('builds FROM scratch and pushes (streamed, chunked blob uploads)', async (reg) => {
      const container = await buildah.fromScratch();
      await buildah.copy(container, join(work, 'context', 'hello.txt'), '/hello.txt');
      await buildah.copy(container, join(work, 'context', 'payload.bin'), '/data/payload.bin');
      await buildah.config(container, ['--cmd', '["/hello"]', '--label', `org.example.e2e=${labelValue}`, '--arch', 'amd64', '--os', 'linux']);
      imageId = await buildah.commit(container, 'localhost/berth-e2e/scratch-app:latest');
      await buildah.rm(container);
      const before = reg.requests.length;
      pushedDigest = await buildah.push('localhost/berth-e2e/scratch-app:latest', `docker://${host}/${repo}:v1`, clientTls);
      assert.match(pushedDigest, /^sha256:[0-9a-f]{64}$/);

      const res = await getManifest(reg, repo, 'v1');
      assert.equal(res.headers['docker-content-digest'], pushedDigest);
      assert.equal(sha256(res.body), pushedDigest);

      if (reg.recording) {
        const patches = reg.requests.slice(before).filter((r) => r.method === 'PATCH' && r.path.includes(`/v2/${repo}/blobs/uploads/`));
        assert.ok(patches.length > 0, 'buildah sent no PATCH');
        const streamed = patches.filter((r) => r.contentLength === undefined);
        assert.ok(
          streamed.length > 0,
          `expected a PATCH without Content-Length (chunked); saw:\n${patches.map(formatRequest).join('\n')}`,
        );
        assert.ok(patches.every((r) => r.status === 202), patches.map(formatRequest).join('\n'));
      }
    });

    step('pulls it back with skopeo into an OCI layout with the same digest and files', async (reg) => {
      assert.ok(pushedDigest, 'previous step did not push');
      const dest = join(work, 'pulled');
      await skopeo.copy(`docker://${host}/${repo}:v1`, `oci:${dest}:v1`, { srcTls: clientTls });
      const layout = await OciLayout.create(dest);
      const desc = await layout.resolve('v1');
      assert.equal(desc.digest, pushedDigest);
      await layout.verifyTree(desc);

      const manifest = await layout.readJson<ManifestJson>(desc.digest);
      assert.equal(manifest.config.digest, `sha256:${imageId}`, 'config digest is the image ID buildah reported');
      const config = await layout.readJson<ConfigJson>(manifest.config.digest);
      assert.equal(config.architecture, 'amd64');
      assert.equal(config.os, 'linux');
      assert.deepEqual(config.config?.Cmd, ['/hello']);
      assert.equal(config.config?.Labels?.['org.example.e2e'], labelValue);
      assert.equal(manifest.layers.length, config.rootfs.diff_ids.length);

      const files = new Map<string, Buffer>();
      for (const [i, layer] of manifest.layers.entries()) {
        const blob = await layout.readBlob(layer.digest);
        const tar = layer.mediaType.endsWith('gzip') ? gunzipSync(blob) : blob;
        assert.equal(sha256(tar), config.rootfs.diff_ids[i], `layer ${i}: diff_id mismatch`);
        for (const entry of readTar(tar)) if (entry.type === 'file') files.set(entry.name, Buffer.from(entry.content!));
        // the same bytes straight from the registry
        assert.equal(sha256(await getBlob(reg, repo, layer.digest)), layer.digest);
      }
      assert.equal(files.get('hello.txt')?.toString('utf8'), hello);
      assert.ok(files.get('data/payload.bin')?.equals(payload), 'payload.bin differs');
    });

    step('pulls it back with buildah into a fresh store', async () => {
      assert.ok(pushedDigest, 'previous step did not push');
      const fresh = new Buildah(sandbox, 'buildah-fresh');
      const id = await fresh.pull(`${host}/${repo}:v1`, clientTls);
      assert.equal(id, imageId);
      const info = await fresh.inspectImage(`${host}/${repo}:v1`);
      assert.equal(info.FromImageDigest, pushedDigest);
      assert.equal(info.OCIv1.config?.Labels?.['org.example.e2e'], labelValue);
    });

    step('pushes the same image as Docker schema 2 to a second tag', async (reg) => {
      assert.ok(imageId, 'image was not built');
      const digest = await buildah.push('localhost/berth-e2e/scratch-app:latest', `docker://${host}/${repo}:docker`, clientTls, ['--format', 'docker']);
      const res = await getManifest(reg, repo, 'docker');
      assert.equal(res.headers['docker-content-digest'], digest);
      assert.equal(res.headers['content-type'], MEDIA_TYPES.dockerManifest);
      const manifest = JSON.parse(res.body.toString('utf8')) as ManifestJson;
      assert.equal(manifest.config.mediaType, MEDIA_TYPES.dockerConfig);
      const tags = await skopeo.listTags(`docker://${host}/${repo}`, clientTls);
      assert.deepEqual([...tags].sort(), ['docker', 'v1']);
    });
  });
}
