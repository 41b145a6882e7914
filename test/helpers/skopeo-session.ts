// What the housekeeping end-to-end tests (GC, lifecycle, the done-means) share:
// a `berth serve` (with test-specific settings), skopeo logged in to it in a private
// sandbox, a work directory, and ways to look at what the server stored.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startBerth, type BerthProcess } from './berth-process.ts';
import { Skopeo, ToolSandbox } from './clients.ts';
import { OciLayout, type BuiltImage, type Descriptor } from './oci-images.ts';

export const PLAIN_HTTP = { scheme: 'http' } as const;

export interface SkopeoSession {
  readonly berth: BerthProcess;
  readonly skopeo: Skopeo;
  readonly work: string;
  /** Where the filesystem store keeps a blob's bytes. */
  blobPath(digest: string): string;
  /** Pulls into a new layout under `work` and verifies every digest (and, given the image, that it is that image). */
  pullAndVerify(reference: string, image: BuiltImage | undefined, into: string): Promise<void>;
  close(): Promise<void>;
}

/** The blobs an image is made of: its config and layers. */
export const blobsOf = (image: BuiltImage): Descriptor[] => [image.config, ...image.layers.map((layer) => layer.descriptor)];

export async function startSkopeoSession(name: string, env: Record<string, string>): Promise<SkopeoSession> {
  const berth = await startBerth({ env });
  const sandbox = await ToolSandbox.create();
  const skopeo = new Skopeo(sandbox);
  const work = await mkdtemp(join(tmpdir(), `berth-e2e-${name}-`));
  await skopeo.login(berth.hostPort, await berth.login(), PLAIN_HTTP);
  return {
    berth,
    skopeo,
    work,
    blobPath: (digest) => join(berth.dataDir, 'blobs', 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7)),
    pullAndVerify: async (reference, image, into) => {
      await skopeo.copy(`docker://${berth.hostPort}/${reference}`, `oci:${join(work, into)}:x`, { srcTls: PLAIN_HTTP });
      const pulled = new OciLayout(join(work, into));
      const root = await pulled.resolve('x');
      const blobs = await pulled.verifyTree(root);
      if (!image) return;
      assert.equal(root.digest, image.manifest.digest);
      for (const blob of blobsOf(image)) assert.ok(blobs.has(blob.digest), `${blob.digest} pulled and verified`);
    },
    close: async () => {
      await berth.stop();
      await sandbox.cleanup();
      await rm(work, { recursive: true, force: true });
    },
  };
}
