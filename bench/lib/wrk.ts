// Runs wrk against one URL and returns requests/s and latency percentiles.
import { runForJsonLine } from './child-json.ts';
import { fileURLToPath } from 'node:url';

export const WRK_BIN = process.env.BENCH_WRK_BIN ?? '/usr/bin/wrk';
const script = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

export interface WrkOptions {
  url: string;
  method?: 'GET' | 'HEAD';
  connections: number;
  threads: number;
  durationS: number;
  headers?: Record<string, string>;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  meanMs: number;
  maxMs: number;
  /** Socket errors, timeouts and non-2xx/3xx answers. */
  errors: number;
  bytes: number;
}

interface WrkJson {
  requests: number;
  duration_us: number;
  bytes: number;
  err_connect: number;
  err_read: number;
  err_write: number;
  err_status: number;
  err_timeout: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  p999_us: number;
  mean_us: number;
  max_us: number;
}

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${Math.min(o.threads, o.connections)}`,
    `-c${o.connections}`,
    `-d${o.durationS}s`,
    '--timeout',
    '10s',
    '-s',
    script,
  ];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(o.url);
  const j = (await runForJsonLine(WRK_BIN, args, 'BENCH_JSON ', { ...process.env, BENCH_WRK_METHOD: o.method ?? 'GET' })) as WrkJson;
  const durationS = j.duration_us / 1e6;
  return {
    requests: j.requests,
    durationS,
    rps: j.requests / durationS,
    p50Ms: j.p50_us / 1000,
    p90Ms: j.p90_us / 1000,
    p99Ms: j.p99_us / 1000,
    p999Ms: j.p999_us / 1000,
    meanMs: j.mean_us / 1000,
    maxMs: j.max_us / 1000,
    errors: j.err_connect + j.err_read + j.err_write + j.err_status + j.err_timeout,
    bytes: j.bytes,
  };
}
