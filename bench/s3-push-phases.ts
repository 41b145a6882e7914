// Where the time of a push to a registry on S3 goes: `npx node bench/s3-push-phases.ts
// [berth|distribution] [MiB] [chunk MiB] [rounds]` boots the --backend=s3 storage (Ceph RGW
// and PostgreSQL), starts one registry on it, pushes blobs in PATCH chunks and prints,
// for each PATCH and for the closing PUT (where the staged bytes become the blob), the
// time, the registry's CPU and the storage daemons' CPU. See bench/README.md.
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { makeBlob, writeBlobRange } from './lib/data.ts';
import { Monitor, type Usage } from './lib/monitor.ts';
import { HttpError, RegistryClient } from './lib/registry.ts';
import { S3Backend } from './lib/s3-backend.ts';
import { startServer, type ServerKind } from './lib/servers.ts';

const MiB = 1024 * 1024;
const kind = (process.argv[2] ?? 'berth') as ServerKind;
if (kind !== 'berth' && kind !== 'distribution') throw new Error(`usage: s3-push-phases.ts [berth|distribution] [MiB] [chunk MiB] [rounds]`);
const size = Number(process.argv[3] ?? 256) * MiB;
const chunk = Number(process.argv[4] ?? 64) * MiB;
const rounds = Number(process.argv[5] ?? 2);

function note(ms: number, bytes: number, u: Usage): string {
  const store = Object.entries(u.daemonCpuS ?? {})
    .map(([name, cpu]) => `${name} ${cpu.toFixed(2)}`)
    .join(', ');
  return `${ms.toFixed(0).padStart(5)} ms${bytes ? ` (${(bytes / 1e3 / ms).toFixed(0)} MB/s)` : ''}; ${kind} CPU ${u.serverCpuS.toFixed(2)} s; store CPU ${store} s`;
}

const work = await mkdtemp(join(tmpdir(), 'berth-push-phases-'));
const backend = await S3Backend.start({ osdBytes: 20 * 1024 * MiB, berthRedirect: true });
const storage = await backend.scenario('phases');
const server = await startServer(kind, work, false, [], storage.forServer(kind));
const client = new RegistryClient(server.url, { headers: server.authorization ? { authorization: server.authorization } : {} });
const monitor = new Monitor(50, backend.daemons());
try {
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round}: ${size / MiB} MiB in ${chunk / MiB} MiB PATCH chunks to ${kind}`);
    const blob = makeBlob(size);
    let location = await client.startUpload('bench/phases');
    for (let start = 0; start < size; start += chunk) {
      const end = Math.min(size, start + chunk);
      const { result, usage } = await monitor.watch(server.pid, async () => {
        const t0 = performance.now();
        const res = await client.request(
          'PATCH',
          client.pathOf(location),
          { 'content-type': 'application/octet-stream', 'content-length': String(end - start), 'content-range': `${start}-${end - 1}` },
          (req) => writeBlobRange(req, blob, start, end),
        );
        return { res, ms: performance.now() - t0 };
      });
      if (result.res.status !== 202 || !result.res.headers.location) throw new HttpError('PATCH', result.res);
      location = result.res.headers.location;
      console.log(`  PATCH @${String(start / MiB).padStart(5)} MiB: ${note(result.ms, end - start, usage)}`);
    }
    const { result, usage } = await monitor.watch(server.pid, async () => {
      const t0 = performance.now();
      const path = client.pathOf(location);
      const res = await client.request('PUT', `${path}${path.includes('?') ? '&' : '?'}digest=${encodeURIComponent(blob.digest)}`, { 'content-length': '0' });
      return { res, ms: performance.now() - t0 };
    });
    if (result.res.status !== 201) throw new HttpError('PUT (close)', result.res);
    console.log(`  closing PUT:         ${note(result.ms, 0, usage)}`);
    await backend.collectGarbage();
  }
} finally {
  client.close();
  await monitor.close();
  await server.stop();
  await backend.stop();
  await rm(work, { recursive: true, force: true });
}
