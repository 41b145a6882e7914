// `--workers N`: several processes serve one port and one set of stores. An
// upload whose requests land on different workers completes with the right digest,
// every worker sees what another stored, and SIGTERM stops them all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';

let berth: BerthProcess;
/** The administrator's login, sent with every registry request. */
let authorization: string;
before(async () => {
  berth = await startBerth({ args: ['--workers', '2'] });
  authorization = (await berth.login()).authorization;
});
after(async () => {
  if (berth.child.exitCode === null) await berth.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request on a fresh connection, so that the kernel spreads them over the workers. */
function call(method: string, path: string, headers: Record<string, string | number> = {}, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${berth.url}${path}`, { method, headers: { Authorization: authorization, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a chunked upload spread over workers completes, and any worker serves the result', async () => {
  const parts = Array.from({ length: 8 }, () => randomBytes(64 * 1024 + 17));
  const whole = Buffer.concat(parts);
  const digest = `sha256:${createHash('sha256').update(whole).digest('hex')}`;
  const started = await call('POST', '/v2/workers/app/blobs/uploads/');
  assert.equal(started.status, 202);
  let location = String(started.headers.location);
  let offset = 0;
  for (const part of parts) {
    const patched = await call('PATCH', location, { 'Content-Range': `${offset}-${offset + part.length - 1}`, 'Content-Length': part.length }, part);
    assert.equal(patched.status, 202);
    offset += part.length;
    assert.equal(patched.headers.range, `0-${offset - 1}`);
    location = String(patched.headers.location);
  }
  const done = await call('PUT', `${location}?digest=${digest}`);
  assert.equal(done.status, 201);
  for (let i = 0; i < 4; i++) {
    const fetched = await call('GET', `/v2/workers/app/blobs/${digest}`);
    assert.equal(fetched.status, 200);
    assert.equal(createHash('sha256').update(fetched.body).digest('hex'), digest.slice(7));
  }
});

test('requests are answered by more than one process, and SIGTERM stops every one of them', async () => {
  for (let i = 0; i < 12; i++) assert.equal((await call('GET', '/v2/')).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 100)); // let the access-log lines arrive
  const answeredBy = new Set<number>();
  for (const line of berth.logs) {
    try {
      const entry = JSON.parse(line) as { msg?: string; pid?: number };
      if (entry.msg === 'request' && entry.pid !== undefined) answeredBy.add(entry.pid);
    } catch {
      // the banner
    }
  }
  assert.equal(answeredBy.size, 2, `request log lines came from ${[...answeredBy].join(', ')}`);
  assert.ok(!answeredBy.has(berth.child.pid!), 'the primary serves no requests itself');
  assert.equal(await berth.stop(), 0);
  for (const pid of answeredBy) assert.throws(() => process.kill(pid, 0), `worker ${pid} still running after the primary stopped`);
});
