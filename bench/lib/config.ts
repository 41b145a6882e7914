// Benchmark settings: full-run defaults, --quick defaults, and BENCH_* environment overrides.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerKind } from './servers.ts';

const MiB = 1024 * 1024;

export const SCENARIO_IDS = ['push', 'pull', 'read', 'small', 'image', 'huge', 'gc'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/**
 * Where both registries keep their data: `fs` (each its own directory, Berth's
 * metadata in SQLite) or `s3` (one Ceph RADOS Gateway for the run, a bucket each;
 * Berth's metadata in a PostgreSQL started for the run).
 */
export const BACKENDS = ['fs', 's3'] as const;
export type Backend = (typeof BACKENDS)[number];

/** What the s3 backend runs when no scenario list is given (the ones the scale-out figures need). */
const S3_DEFAULT_SCENARIOS: readonly ScenarioId[] = ['push', 'pull', 'read'];

export interface BenchConfig {
  quick: boolean;
  backend: Backend;
  /** s3 backend: size of the Ceph OSD's sparse block file. */
  osdBytes: number;
  /** s3 backend: Berth answers blob GETs with a 307 to a presigned URL (BERTH_S3_REDIRECT). */
  berthRedirect: boolean;
  /** Pairs for the fast scenarios (read rates, small pushes). */
  pairs: number;
  /** Pairs for the big transfers (1 GiB push/pull, image). */
  bigPairs: number;
  blobBytes: number;
  chunkBytes: number;
  hugeBytes: number;
  skipHuge: boolean;
  wrkDurationS: number;
  wrkWarmupS: number;
  wrkThreads: number;
  connections: number[];
  smallCount: number;
  smallBytes: number;
  smallConcurrency: number;
  imageLayers: number;
  layerBytes: number;
  imageParallel: number;
  only: Set<ScenarioId>;
  sideA: ServerKind;
  sideB: ServerKind;
  resultsPath: string;
  tmpRoot: string;
  keepData: boolean;
  syncBetweenRuns: boolean;
  /** Sent as Authorization on every registry request, if set. */
  authorization: string | undefined;
  berthArgs: string[];
}

export const HELP = `Usage: npm run bench [-- --quick] [-- --only=push,pull,read,small,image,huge,gc] [-- --backend=fs|s3]

  --quick            smoke run: 1 pair each, smaller blobs, short wrk runs
  --only=LIST        run only these scenarios (comma separated)
  --backend=s3       both registries on one Ceph RADOS Gateway started for the run (a
                     bucket each), Berth's metadata in a PostgreSQL started for the run;
                     default scenarios push,pull,read, big blob 512 MiB; the pull rows
                     add a presigned GET straight from the gateway (the store alone)
  --help             this text

Environment (each overrides the full or --quick default):
  BENCH_PAIRS=5            pairs (A then B) for read rates and small pushes   (quick: 1)
  BENCH_BIG_PAIRS=3        pairs for 1 GiB push/pull and the image            (quick: 1)
  BENCH_BLOB_MIB=1024      big blob size                           (s3: 512; quick: 256)
  BENCH_CHUNK_MIB=64       PATCH chunk size
  BENCH_HUGE_MIB=4096      Berth-only huge blob                               (quick: 1024)
  BENCH_SKIP_HUGE=1        skip the huge blob scenario
  BENCH_WRK_DURATION=5     seconds per rate measurement                       (quick: 2)
  BENCH_WRK_WARMUP=2       seconds of untimed warm-up per server              (quick: 1)
  BENCH_WRK_THREADS=1      wrk threads
  BENCH_CONNECTIONS=16,64  connection counts for the rate scenarios
  BENCH_SMALL_COUNT=1000   small blobs per run
  BENCH_SMALL_KIB=4        small blob size
  BENCH_SMALL_CONCURRENCY=16
  BENCH_IMAGE_LAYERS=20    layers in the image
  BENCH_LAYER_MB=25        layer size in MB (10^6 bytes)                      (quick: 5)
  BENCH_IMAGE_PARALLEL=6   layers transferred in parallel
  BENCH_ONLY=push,pull     same as --only
  BENCH_A=berth            server kind on side A (berth | distribution)
  BENCH_B=distribution     server kind on side B
  BENCH_RESULTS=path       JSON output (default bench/results/latest.json)
  BENCH_TMPDIR=dir         where the data directories go (default: the OS temp dir)
  BENCH_KEEP_DATA=1        keep data directories after the run
  BENCH_NO_SYNC=1          do not run sync(1) before each measured run
  BENCH_AUTH="Basic ..."   Authorization header for every request
  BENCH_BERTH_ARGS="..."   extra arguments for berth serve (space separated)
  BENCH_BACKEND=s3         same as --backend
  BENCH_S3_OSD_GIB=20      s3: the OSD's sparse block file (disk use is the data stored)
  BENCH_S3_REDIRECT=0      s3: Berth streams blob GETs itself instead of redirecting
`;

function envNum(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return n;
}

function envFlag(name: string): boolean {
  const v = process.env[name];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function kind(name: string, fallback: ServerKind): ServerKind {
  const v = process.env[name] ?? fallback;
  if (v !== 'berth' && v !== 'distribution') throw new Error(`${name} must be berth or distribution, got ${v}`);
  return v;
}

function parseBackend(value: string): Backend {
  if (!(BACKENDS as readonly string[]).includes(value)) throw new Error(`unknown backend ${value}; known: ${BACKENDS.join(', ')}`);
  return value as Backend;
}

function parseOnly(list: string | undefined, backend: Backend): Set<ScenarioId> {
  if (!list) return new Set(backend === 's3' ? S3_DEFAULT_SCENARIOS : SCENARIO_IDS);
  const out = new Set<ScenarioId>();
  for (const raw of list.split(',')) {
    const id = raw.trim();
    if (!id) continue;
    if (!(SCENARIO_IDS as readonly string[]).includes(id)) {
      throw new Error(`unknown scenario ${id}; known: ${SCENARIO_IDS.join(', ')}`);
    }
    out.add(id as ScenarioId);
  }
  return out;
}

export function loadConfig(argv: string[]): BenchConfig | 'help' {
  let quick = false;
  let only = process.env.BENCH_ONLY;
  let backend = parseBackend(process.env.BENCH_BACKEND || 'fs');
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') return 'help';
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length);
    else if (arg.startsWith('--backend=')) backend = parseBackend(arg.slice('--backend='.length));
    else throw new Error(`unknown argument ${arg}\n\n${HELP}`);
  }
  const q = <T>(full: T, quickValue: T): T => (quick ? quickValue : full);
  const benchDir = fileURLToPath(new URL('..', import.meta.url));
  const s3 = backend === 's3';
  return {
    quick,
    backend,
    osdBytes: Math.round(envNum('BENCH_S3_OSD_GIB', 20) * 1024 * MiB),
    berthRedirect: process.env.BENCH_S3_REDIRECT === undefined || process.env.BENCH_S3_REDIRECT === '' || envFlag('BENCH_S3_REDIRECT'),
    pairs: Math.max(1, Math.round(envNum('BENCH_PAIRS', q(5, 1)))),
    bigPairs: Math.max(1, Math.round(envNum('BENCH_BIG_PAIRS', q(3, 1)))),
    // On s3 every pushed byte is written twice (staging, then the blob by server-side
    // copy) and the push scenario keeps its objects until it ends: 18 of them (blobs and
    // store-alone PUTs), 9 GiB at 512 MiB, on a 20 GiB OSD, in half the time of 1 GiB.
    blobBytes: Math.round(envNum('BENCH_BLOB_MIB', q(s3 ? 512 : 1024, 256)) * MiB),
    chunkBytes: Math.round(envNum('BENCH_CHUNK_MIB', 64) * MiB),
    hugeBytes: Math.round(envNum('BENCH_HUGE_MIB', q(4096, 1024)) * MiB),
    skipHuge: envFlag('BENCH_SKIP_HUGE'),
    wrkDurationS: Math.max(1, Math.round(envNum('BENCH_WRK_DURATION', q(5, 2)))),
    wrkWarmupS: Math.round(envNum('BENCH_WRK_WARMUP', q(2, 1))),
    wrkThreads: Math.max(1, Math.round(envNum('BENCH_WRK_THREADS', 1))),
    connections: (process.env.BENCH_CONNECTIONS ?? '16,64')
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0),
    smallCount: Math.max(1, Math.round(envNum('BENCH_SMALL_COUNT', 1000))),
    smallBytes: Math.max(1, Math.round(envNum('BENCH_SMALL_KIB', 4) * 1024)),
    smallConcurrency: Math.max(1, Math.round(envNum('BENCH_SMALL_CONCURRENCY', 16))),
    imageLayers: Math.max(1, Math.round(envNum('BENCH_IMAGE_LAYERS', 20))),
    layerBytes: Math.max(1, Math.round(envNum('BENCH_LAYER_MB', q(25, 5)) * 1e6)),
    imageParallel: Math.max(1, Math.round(envNum('BENCH_IMAGE_PARALLEL', 6))),
    only: parseOnly(only, backend),
    sideA: kind('BENCH_A', 'berth'),
    sideB: kind('BENCH_B', 'distribution'),
    resultsPath: process.env.BENCH_RESULTS ?? join(benchDir, 'results', 'latest.json'),
    tmpRoot: process.env.BENCH_TMPDIR ?? tmpdir(),
    keepData: envFlag('BENCH_KEEP_DATA'),
    syncBetweenRuns: !envFlag('BENCH_NO_SYNC'),
    authorization: process.env.BENCH_AUTH || undefined,
    berthArgs: (process.env.BENCH_BERTH_ARGS ?? '').split(' ').filter(Boolean),
  };
}
