// The benchmark's options for the S3 backend, and the table column that only that backend adds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, type BenchConfig } from '../../../bench/lib/config.ts';
import { resultsTable, type MetricResult } from '../../../bench/lib/results.ts';

const MiB = 1024 * 1024;

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const clean = { BENCH_BACKEND: undefined, BENCH_ONLY: undefined, BENCH_BLOB_MIB: undefined, BENCH_S3_REDIRECT: undefined, BENCH_S3_OSD_GIB: undefined };

function config(argv: string[], env: Record<string, string | undefined> = {}): BenchConfig {
  const cfg = withEnv({ ...clean, ...env }, () => loadConfig(argv));
  assert.notEqual(cfg, 'help');
  return cfg as BenchConfig;
}

test('without --backend the run is the filesystem one: every scenario, 1 GiB blobs', () => {
  const cfg = config([]);
  assert.equal(cfg.backend, 'fs');
  assert.deepEqual([...cfg.only], ['push', 'pull', 'read', 'small', 'image', 'huge', 'gc']);
  assert.equal(cfg.blobBytes, 1024 * MiB);
});

test('--backend=s3 runs push, pull and read on 512 MiB blobs, redirects on, a 20 GiB OSD', () => {
  const cfg = config(['--backend=s3']);
  assert.equal(cfg.backend, 's3');
  assert.deepEqual([...cfg.only], ['push', 'pull', 'read']);
  assert.equal(cfg.blobBytes, 512 * MiB);
  assert.equal(cfg.berthRedirect, true);
  assert.equal(cfg.osdBytes, 20 * 1024 * MiB);
  assert.equal(config(['--backend=s3', '--quick']).blobBytes, 256 * MiB);
});

test('BENCH_BACKEND, BENCH_S3_REDIRECT, BENCH_BLOB_MIB and --only apply to the s3 backend', () => {
  const cfg = config(['--only=pull'], { BENCH_BACKEND: 's3', BENCH_S3_REDIRECT: '0', BENCH_BLOB_MIB: '1024' });
  assert.equal(cfg.backend, 's3');
  assert.deepEqual([...cfg.only], ['pull']);
  assert.equal(cfg.berthRedirect, false);
  assert.equal(cfg.blobBytes, 1024 * MiB);
});

test('an unknown backend is refused', () => {
  assert.throws(() => config(['--backend=gcs']), /unknown backend gcs/);
  assert.throws(() => config([], { BENCH_BACKEND: 'minio' }), /unknown backend minio/);
});

function metric(storeCpu: number | undefined): MetricResult {
  const side = (value: number) => ({
    server: 'berth' as const,
    runs: [],
    median: value,
    peakRssMiB: 100,
    medianCpuS: 1,
    medianClientCpuS: 0.1,
    ...(storeCpu === undefined ? {} : { medianStoreCpuS: storeCpu }),
  });
  return {
    id: 'pull',
    scenario: 'pull',
    title: '1 GiB pull',
    unit: 'MB/s',
    better: 'higher',
    sides: { A: side(800), B: side(400) },
    pairRatios: [2],
    ratioMedian: 2,
  };
}

test('the table has a Store CPU column only when the storage daemons were watched', () => {
  const labels = { A: 'Berth', B: 'Distribution' };
  const fs = resultsTable([metric(undefined)], labels);
  assert.doesNotMatch(fs, /Store CPU/);
  assert.match(fs.split('\n')[2]!, /\|\s+1\.000 \/ 1\.000 \|$/);
  const s3 = resultsTable([metric(2.5)], labels);
  assert.match(s3.split('\n')[0]!, /\| Store CPU s\/run A \/ B \|$/);
  assert.match(s3.split('\n')[2]!, /\|\s+2\.500 \/ 2\.500 \|$/);
});
