// The last line of defence against bugs (src/server/process-guard.ts), on a real
// `berth serve` into which test/helpers/process-faults.ts injects an error that escapes
// every handler: an unhandled rejection is logged at fatal with its stack, counted in
// /metrics, and the registry keeps serving; an uncaught exception is logged and
// counted too, and the process then lets the request in flight finish, takes no new
// connection and exits with 70 — which under `--workers` the primary answers by
// starting a replacement while the other worker serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { projectRoot, startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { until } from '../helpers/until.ts';

const faults = join(projectRoot, 'test', 'helpers', 'process-faults.ts');

function startWithFault(fault: 'uncaught-exception' | 'unhandled-rejection', args: string[] = []): Promise<BerthProcess> {
  return startBerth({ nodeArgs: ['--import', faults], env: { BERTH_TEST_FAULT: fault }, args });
}

interface LogEntry {
  level?: number;
  msg?: string;
  err?: { message?: string; stack?: string };
  code?: number;
}

function logEntries(berth: BerthProcess): LogEntry[] {
  return berth.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogEntry];
    } catch {
      return [];
    }
  });
}

/** The fatal line the guard wrote for the injected error. */
function fatalLine(berth: BerthProcess, message: string): Promise<LogEntry> {
  return until(`a fatal log line about "${message}"`, async () =>
    logEntries(berth).find((entry) => entry.level === 60 && entry.err?.message === message),
  );
}

async function pushBlob(berth: BerthProcess, authorization: string): Promise<number> {
  const content = randomBytes(1000);
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
  const response = await fetch(`${berth.url}/v2/guard/app/blobs/uploads/?digest=${digest}`, { method: 'POST', body: content, headers: { Authorization: authorization } });
  return response.status;
}

async function processErrors(berth: BerthProcess, kind: string): Promise<number> {
  const text = await (await fetch(`${berth.url}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`berth_process_errors_total{kind="${kind}"}`));
  assert.ok(line, `berth_process_errors_total{kind="${kind}"} is exposed`);
  return Number(line.split(' ').pop());
}

function exited(berth: BerthProcess): Promise<number | null> {
  if (berth.child.exitCode !== null) return Promise.resolve(berth.child.exitCode);
  return new Promise((resolve) => berth.child.once('exit', (code) => resolve(code)));
}

test('an unhandled rejection is logged at fatal with its stack and counted, and the registry keeps serving', async () => {
  const berth = await startWithFault('unhandled-rejection');
  try {
    const { authorization } = await berth.login();
    assert.equal(await processErrors(berth, 'unhandledRejection'), 0);
    assert.equal(await processErrors(berth, 'uncaughtException'), 0);
    berth.child.kill('SIGUSR2');
    const fatal = await fatalLine(berth, 'injected unhandled rejection');
    assert.match(fatal.err?.stack ?? '', /process-faults\.ts/, 'the stack says where it came from');
    assert.equal(await processErrors(berth, 'unhandledRejection'), 1);
    assert.equal(await pushBlob(berth, authorization), 201);
    assert.equal((await fetch(`${berth.url}/healthz`)).status, 200);
    assert.equal(berth.child.exitCode, null);
  } finally {
    await berth.stop();
  }
});

test('an uncaught exception: the upload in flight completes, no new connection is taken, and the process exits with 70', async () => {
  const berth = await startWithFault('uncaught-exception');
  try {
    const { authorization } = await berth.login();
    const start = await fetch(`${berth.url}/v2/guard/app/blobs/uploads/`, { method: 'POST', headers: { Authorization: authorization } });
    assert.equal(start.status, 202);
    const location = start.headers.get('location')!;
    const body = randomBytes(256 * 1024);
    // A PATCH whose first half is sent before the fault and the second half after.
    const { port } = new URL(berth.url);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (data) => (answer += data.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`PATCH ${location} HTTP/1.1\r\nHost: ${berth.hostPort}\r\nAuthorization: ${authorization}\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body.subarray(0, body.length / 2));
    await new Promise((resolve) => setTimeout(resolve, 200));

    berth.child.kill('SIGUSR2');
    const fatal = await fatalLine(berth, 'injected uncaught exception');
    assert.match(fatal.err?.stack ?? '', /process-faults\.ts/);
    // Draining: the listener is closed, so a new client is refused at once.
    await until('the listener to close', async () => ((await fetch(`${berth.url}/healthz`).then(() => 'open', () => 'refused')) === 'refused' ? true : undefined), 5_000, 50);
    socket.write(body.subarray(body.length / 2));
    await closed;
    assert.match(answer, /^HTTP\/1\.1 202 /, 'the PATCH in flight was answered');
    assert.match(answer, new RegExp(`Range: 0-${body.length - 1}`, 'i'));
    assert.equal(await exited(berth), 70);
    assert.ok(logEntries(berth).some((entry) => entry.msg === 'stopped'), 'the stores were closed before the exit');
  } finally {
    await berth.stop();
  }
});

test('--workers: a worker with an uncaught exception exits with 70 and is replaced while the other serves', async () => {
  const berth = await startWithFault('uncaught-exception', ['--workers', '2']);
  try {
    const { authorization } = await berth.login();
    const workers = () => readFileSync(`/proc/${berth.child.pid}/task/${berth.child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    const before = workers();
    assert.equal(before.length, 2);
    process.kill(before[0]!, 'SIGUSR2');
    // The registry answers throughout: every request gets an answer from one worker or the other.
    const deadline = Date.now() + 20_000;
    let replaced: number[] | undefined;
    while (!replaced && Date.now() < deadline) {
      assert.equal(await pushBlob(berth, authorization), 201);
      const now = workers();
      if (now.length === 2 && !now.includes(before[0]!)) replaced = now;
    }
    assert.ok(replaced, 'a replacement worker was started');
    assert.ok(
      logEntries(berth).some((entry) => entry.msg === 'worker exited; starting a replacement' && entry.code === 70),
      'the primary saw the worker exit with 70',
    );
    await until('the replacement to serve', async () => ((await pushBlob(berth, authorization)) === 201 ? true : undefined));
  } finally {
    await berth.stop();
  }
});
