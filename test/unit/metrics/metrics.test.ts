import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from '../../../src/metrics/metrics.ts';
import { ecrOperation, fallbackOperation, ociOperation, queryOperation } from '../../../src/metrics/operation-name.ts';

function metrics(overrides: { storedBytes?: () => Promise<number>; now?: () => number } = {}) {
  const totals = { bytesIn: 0, bytesOut: 0, pushes: 0, pulls: 0 };
  const instance = new Metrics({ usageTotals: () => totals, storedBytes: overrides.storedBytes ?? (async () => 0), ...(overrides.now ? { now: overrides.now } : {}) });
  return { instance, totals };
}

/** The value of one sample line, e.g. `berth_gc_runs_total` or `x{a="b"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('requests: counted and timed by operation and status, with cumulative buckets', async () => {
  const { instance } = metrics();
  instance.observeRequest('manifest.get', 200, 0.0004);
  instance.observeRequest('manifest.get', 200, 0.003);
  instance.observeRequest('manifest.get', 404, 0.001);
  instance.observeRequest('blob.get', 200, 120);
  const { body, contentType } = await instance.exposition();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  assert.match(body, /# TYPE berth_http_requests_total counter/);
  assert.match(body, /# TYPE berth_http_request_duration_seconds histogram/);
  assert.equal(sample(body, 'berth_http_requests_total{operation="manifest.get",status="200"}'), 2);
  assert.equal(sample(body, 'berth_http_requests_total{operation="manifest.get",status="404"}'), 1);
  const bucket = (le: string, status = '200', operation = 'manifest.get') => sample(body, `berth_http_request_duration_seconds_bucket{le="${le}",operation="${operation}",status="${status}"}`);
  assert.equal(bucket('0.0005'), 1);
  assert.equal(bucket('0.001'), 1, 'cumulative');
  assert.equal(bucket('0.005'), 2);
  assert.equal(bucket('+Inf'), 2);
  assert.equal(bucket('60', '200', 'blob.get'), 0);
  assert.equal(bucket('300', '200', 'blob.get'), 1);
  assert.ok(Math.abs(sample(body, 'berth_http_request_duration_seconds_sum{operation="manifest.get",status="200"}')! - 0.0034) < 1e-12);
  assert.equal(sample(body, 'berth_http_request_duration_seconds_count{operation="manifest.get",status="200"}'), 2);
  assert.doesNotMatch(body, /repository=/, 'no repository label anywhere');
});

test('bytes and counts come from the usage meter at scrape time', async () => {
  const { instance, totals } = metrics();
  Object.assign(totals, { bytesIn: 1234, bytesOut: 5678, pushes: 2, pulls: 9 });
  let body = (await instance.exposition()).body;
  assert.equal(sample(body, 'berth_received_bytes_total'), 1234);
  assert.equal(sample(body, 'berth_sent_bytes_total'), 5678);
  assert.equal(sample(body, 'berth_pushes_total'), 2);
  assert.equal(sample(body, 'berth_pulls_total'), 9);
  totals.bytesOut = 9000;
  body = (await instance.exposition()).body;
  assert.equal(sample(body, 'berth_sent_bytes_total'), 9000);
});

test('stored bytes: computed on scrape, reused for the cache period', async () => {
  let clock = 0;
  let asked = 0;
  const { instance } = metrics({ storedBytes: async () => ++asked * 100, now: () => clock });
  assert.equal(sample((await instance.exposition()).body, 'berth_stored_bytes'), 100);
  clock += 29_000;
  assert.equal(sample((await instance.exposition()).body, 'berth_stored_bytes'), 100, 'cached');
  clock += 1_000;
  assert.equal(sample((await instance.exposition()).body, 'berth_stored_bytes'), 200);
  assert.equal(asked, 2);
});

test('GC and lifecycle runs: the counters the runners report into', async () => {
  const { instance } = metrics();
  let body = (await instance.exposition()).body;
  assert.equal(sample(body, 'berth_gc_runs_total'), 0);
  assert.equal(sample(body, 'berth_lifecycle_runs_total'), 0);
  instance.recordGcRun({ blobsDeleted: 3, bytesReclaimed: 4096, durationSeconds: 1.5, orphans: 5 });
  instance.recordGcRun({ blobsDeleted: 1, bytesReclaimed: 100, durationSeconds: 0.2, orphans: 1 });
  instance.recordLifecycleRun({ repositoriesEvaluated: 4, imagesExpired: 7 });
  body = (await instance.exposition()).body;
  assert.equal(sample(body, 'berth_gc_runs_total'), 2);
  assert.equal(sample(body, 'berth_gc_blobs_deleted_total'), 4);
  assert.equal(sample(body, 'berth_gc_bytes_reclaimed_total'), 4196);
  assert.equal(sample(body, 'berth_gc_orphans'), 1, 'the last pass');
  assert.equal(sample(body, 'berth_gc_duration_seconds_count'), 2);
  assert.ok(Math.abs(sample(body, 'berth_gc_duration_seconds_sum')! - 1.7) < 1e-12);
  assert.equal(sample(body, 'berth_lifecycle_runs_total'), 1);
  assert.equal(sample(body, 'berth_lifecycle_repositories_evaluated_total'), 4);
  assert.equal(sample(body, 'berth_lifecycle_images_expired_total'), 7);
});

test('process metrics are there too', async () => {
  const { body } = await metrics().instance.exposition();
  assert.match(body, /^process_cpu_seconds_total /m);
  assert.match(body, /^nodejs_eventloop_lag_seconds /m);
});

test('operation names: a fixed set whatever the request says', () => {
  assert.equal(ociOperation('manifest', 'GET'), 'manifest.get');
  assert.equal(ociOperation('manifest', 'PUT'), 'manifest.put');
  assert.equal(ociOperation('blob', 'HEAD'), 'blob.head');
  assert.equal(ociOperation('upload', 'PATCH'), 'blob.upload.patch');
  assert.equal(ociOperation('upload', 'PUT'), 'blob.upload.put');
  assert.equal(ociOperation('upload-start', 'POST'), 'blob.upload.start');
  assert.equal(ociOperation('upload-start', 'BREW'), 'blob.upload.other');
  assert.equal(ociOperation('manifest', 'PATCH'), 'manifest.other');
  assert.equal(ociOperation('invalid-name', 'GET'), 'oci.invalid');
  const known = (name: string) => name === 'DescribeImages';
  assert.equal(ecrOperation('DescribeImages', known), 'ecr.DescribeImages');
  assert.equal(ecrOperation('Describe<script>', known), 'ecr.unknown');
  assert.equal(queryOperation('iam', 'CreateUser', (action) => action === 'CreateUser'), 'iam.CreateUser');
  assert.equal(queryOperation('iam', 'x'.repeat(500), () => false), 'iam.unknown');
  assert.equal(fallbackOperation('/metrics'), 'metrics');
  assert.equal(fallbackOperation('/healthz'), 'healthz');
  assert.equal(fallbackOperation('/v2/anything/at/all'), 'oci.invalid');
  assert.equal(fallbackOperation('/random/path'), 'not-found');
});
