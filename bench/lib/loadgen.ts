// A small closed-loop HTTP/1.1 load generator over raw keep-alive sockets.
//
// wrk 4.1 cannot benchmark HEAD: its parser is never told the request was HEAD,
// so it waits for the Content-Length bytes of a body that never comes (a HEAD
// response advertises the blob size). This tool sends a fixed request on each
// connection, waits for the complete response (headers only for HEAD, headers
// plus Content-Length bytes for GET), records the latency and sends the next.
// It runs in its own process (`node loadgen.ts '<json options>'`) and prints one
// JSON line, the same shape as wrk.ts returns.
import net from 'node:net';
import { runForJsonLine } from './child-json.ts';
import { fileURLToPath } from 'node:url';
import type { WrkResult } from './wrk.ts';

export interface LoadgenOptions {
  url: string;
  method: 'GET' | 'HEAD';
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

async function main(o: LoadgenOptions): Promise<WrkResult> {
  const u = new URL(o.url);
  const lines = [`${o.method} ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`];
  for (const [k, v] of Object.entries(o.headers ?? {})) lines.push(`${k}: ${v}`);
  const request = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);

  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  let bytes = 0;
  let stopping = false;
  const start = performance.now();
  const deadline = start + o.durationS * 1000;

  const record = (ms: number) => {
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = ms;
  };

  const runConnection = () =>
    new Promise<void>((resolve) => {
      let sock: net.Socket;
      let buf: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      let needBody = -1; // bytes of body still expected, -1 while reading headers

      const send = () => {
        if (stopping || performance.now() >= deadline) {
          stopping = true;
          sock.destroy();
          resolve();
          return;
        }
        sentAt = performance.now();
        sock.write(request);
      };

      const connect = () => {
        buf = Buffer.alloc(0);
        needBody = -1;
        sock = net.connect({ host: u.hostname, port: Number(u.port) });
        sock.setNoDelay(true);
        sock.on('connect', send);
        sock.on('data', onData);
        sock.on('error', () => {
          errors++;
        });
        sock.on('close', () => {
          if (!stopping && performance.now() < deadline) setTimeout(connect, 10);
          else resolve();
        });
      };

      const complete = (ok: boolean) => {
        if (ok) record(performance.now() - sentAt);
        else errors++;
        send();
      };

      function onData(chunk: Buffer) {
        bytes += chunk.length;
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        for (;;) {
          if (needBody < 0) {
            const end = buf.indexOf(CRLFCRLF);
            if (end < 0) return;
            const head = buf.subarray(0, end).toString('latin1');
            buf = buf.subarray(end + 4);
            const status = Number(head.slice(9, 12));
            const okStatus = status >= 200 && status < 400;
            if (o.method === 'HEAD') {
              needBody = -1;
              complete(okStatus);
              continue;
            }
            const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
            if (!m) {
              // chunked or close-delimited bodies are not supported: count and reconnect
              errors++;
              sock.destroy();
              return;
            }
            needBody = Number(m[1]);
            (sock as net.Socket & { okStatus?: boolean }).okStatus = okStatus;
          }
          if (buf.length < needBody) return;
          buf = buf.subarray(needBody);
          needBody = -1;
          complete((sock as net.Socket & { okStatus?: boolean }).okStatus ?? false);
        }
      }

      connect();
    });

  await Promise.all(Array.from({ length: o.connections }, runConnection));
  const elapsed = (performance.now() - start) / 1000;
  const sorted = latencies.subarray(0, count).sort();
  const pct = (p: number) => (count === 0 ? 0 : sorted[Math.min(count - 1, Math.floor((p / 100) * count))]!);
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i]!;
  return {
    requests: count,
    durationS: elapsed,
    rps: count / elapsed,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    p999Ms: pct(99.9),
    meanMs: count === 0 ? 0 : sum / count,
    maxMs: count === 0 ? 0 : sorted[count - 1]!,
    errors,
    bytes,
  };
}

/** Runs the load generator in a child process (so it has its own event loop and CPU accounting). */
export async function runLoadgen(o: LoadgenOptions): Promise<WrkResult> {
  return (await runForJsonLine(process.execPath, [fileURLToPath(import.meta.url), JSON.stringify(o)], 'BENCH_JSON ')) as WrkResult;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await main(JSON.parse(process.argv[2]!) as LoadgenOptions);
  process.stdout.write(`BENCH_JSON ${JSON.stringify(result)}\n`);
}
