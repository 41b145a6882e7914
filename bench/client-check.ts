// How fast is the benchmark client on its own? Runs the client against a
// stand-in server that does no work (lib/null-server.ts) and prints throughput
// and client CPU per GiB for pushing, for pulling with the digest checked
// (raw socket, node:http and fetch), and the small-push rate.
//
//   npx node bench/client-check.ts [GiB]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeBlob, smallBlob } from './lib/data.ts';
import { RegistryClient } from './lib/registry.ts';
import { randomBytes } from 'node:crypto';

const GiB = 1024 * 1024 * 1024;
const size = Math.round(Number(process.argv[2] ?? 1) * GiB);

const child = spawn(process.execPath, [fileURLToPath(new URL('./lib/null-server.ts', import.meta.url)), String(size)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve) => {
  createInterface({ input: child.stdout }).once('line', (l) => resolve((JSON.parse(l) as { port: number }).port));
});
const url = `http://127.0.0.1:${port}`;
const client = new RegistryClient(url);

// The digest of what the null server serves: its block repeated.
const base = await fetch(`${url}/base`).then(async (r) => Buffer.from(await r.arrayBuffer()));
const h = createHash('sha256');
for (let pos = 0; pos < size; pos += base.length) h.update(base.subarray(0, Math.min(base.length, size - pos)));
const servedDigest = `sha256:${h.digest('hex')}`;

async function timed(name: string, bytes: number, fn: () => Promise<unknown>): Promise<void> {
  await fn(); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(
    `${name.padEnd(40)} ${(bytes / 1e6 / s).toFixed(0).padStart(6)} MB/s   client CPU ${((cpu * GiB) / bytes).toFixed(2)} s/GiB`,
  );
}

console.log(`client ceiling against a do-nothing server, ${size / GiB} GiB transfers (the server uses CPU too):`);
const pushed = makeBlob(size); // hashed up front, as the benchmark does
await timed('push, monolithic PUT (generator)', size, () => client.pushMonolithic('null', pushed));
await timed('push, 64 MiB PATCH chunks', size, () => client.pushChunked('null', pushed, 64 * 1024 * 1024));
await timed('pull + sha256, raw socket (used)', size, () => client.pullBlob('null', servedDigest, size));
await timed('pull + sha256, node:http', size, () => client.pullBlobNodeHttp('null', servedDigest));
await timed('pull + sha256, fetch()', size, async () => {
  const hash = createHash('sha256');
  const res = await fetch(`${url}/v2/null/blobs/${servedDigest}`);
  for await (const chunk of res.body!) hash.update(chunk);
  if (`sha256:${hash.digest('hex')}` !== servedDigest) throw new Error('fetch: digest mismatch');
});

const blobs = Array.from({ length: 1000 }, () => smallBlob(randomBytes(4096)));
let next = 0;
const t0 = performance.now();
const c0 = process.cpuUsage();
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < blobs.length) {
      const b = blobs[next++]!;
      await client.pushSmall('null', b.data, b.digest);
    }
  }),
);
const s = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
console.log(`${'1000 x 4 KiB POST ?digest=, 16 conns'.padEnd(40)} ${(1000 / s).toFixed(0).padStart(6)} push/s  client CPU ${(((c.user + c.system) / 1e6 / 1000) * 1e6).toFixed(0)} µs/push`);

client.close();
child.kill();
