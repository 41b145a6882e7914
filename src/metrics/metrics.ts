// Berth's Prometheus metrics (prom-client), one registry per server process:
//   berth_http_requests_total{operation,status}                 requests answered
//   berth_http_request_duration_seconds{operation,status}       latency histogram
//   berth_received_bytes_total, berth_sent_bytes_total          the usage meter's bytes in and out
//   berth_pushes_total, berth_pulls_total                       manifests pushed and pulled
//   berth_stored_bytes                                          the registry's stored bytes after deduplication
//   berth_gc_* and berth_lifecycle_*                            from recordGcRun / recordLifecycleRun
//   berth_process_errors_total{kind}                            uncaught exceptions and unhandled rejections (bugs)
// and Node's process metrics (CPU, memory, event loop lag). No label names a
// repository: their number is unbounded (per-repository figures are `berth usage`'s).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { UsageTotals } from '../usage/usage-meter.ts';
import type { ProcessErrorKind } from '../server/process-guard.ts';
import { RequestStats } from './request-stats.ts';

/** What a garbage collection pass reports (the GC runner returns it; the server records it). */
export interface GcRunSummary {
  readonly blobsDeleted: number;
  readonly bytesReclaimed: number;
  readonly durationSeconds: number;
  /** Orphan blobs (bytes in the store without a row, left by a crash) the pass reclaimed. */
  readonly orphans: number;
}

/** What a lifecycle policy pass reports. */
export interface LifecycleRunSummary {
  readonly repositoriesEvaluated: number;
  readonly imagesExpired: number;
}

export interface MetricsSources {
  /** The usage meter's totals since this process started. */
  readonly usageTotals: () => UsageTotals;
  /** The registry's stored bytes after deduplication (asked at most once per cache period). */
  readonly storedBytes: () => Promise<number>;
  /** How long a stored bytes figure is reused; scrapes come every 15 to 60 s, the sum reads every blob row. */
  readonly storedBytesCacheSeconds?: number;
  readonly now?: () => number;
}

/** Seconds: manifest reads take a millisecond or less, big blob transfers minutes. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new RequestStats(LATENCY_BUCKETS);
  readonly #gcRuns: Counter;
  readonly #gcBlobs: Counter;
  readonly #gcBytes: Counter;
  readonly #gcOrphans: Gauge;
  readonly #gcDuration: Histogram;
  readonly #lifecycleRuns: Counter;
  readonly #lifecycleRepositories: Counter;
  readonly #lifecycleExpired: Counter;
  readonly #processErrors: Counter;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.registry.registerMetric(this.#requests.counter('berth_http_requests_total', 'HTTP requests answered, by operation and status code.') as unknown as Metric);
    this.registry.registerMetric(
      this.#requests.histogram('berth_http_request_duration_seconds', 'Time from a request arriving to its response closing, by operation and status code.') as unknown as Metric,
    );
    const fromMeter = (name: string, help: string, pick: (totals: UsageTotals) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(pick(sources.usageTotals()));
        },
      });
    fromMeter('berth_received_bytes_total', 'Bytes pushed: blob bytes stored by uploads and manifest bytes (usage metering\'s bytes in).', (t) => t.bytesIn);
    fromMeter('berth_sent_bytes_total', 'Bytes pulled: blob bytes sent (or redirected) and manifest bytes served (usage metering\'s bytes out).', (t) => t.bytesOut);
    fromMeter('berth_pushes_total', 'Manifests pushed (/v2/ manifest PUT, PutImage).', (t) => t.pushes);
    fromMeter('berth_pulls_total', 'Manifests pulled (/v2/ manifest GET, each image of BatchGetImage).', (t) => t.pulls);

    const cacheMs = (sources.storedBytesCacheSeconds ?? 30) * 1000;
    const now = sources.now ?? Date.now;
    let cached: { value: number; at: number } | undefined;
    new Gauge({
      name: 'berth_stored_bytes',
      help: 'Bytes of the distinct blobs referenced by any manifest, across all repositories (the registry after deduplication).',
      registers,
      async collect() {
        if (cached === undefined || now() - cached.at >= cacheMs) cached = { value: await sources.storedBytes(), at: now() };
        this.set(cached.value);
      },
    });

    this.#gcRuns = new Counter({ name: 'berth_gc_runs_total', help: 'Garbage collection passes completed.', registers });
    this.#gcBlobs = new Counter({ name: 'berth_gc_blobs_deleted_total', help: 'Blobs garbage collection deleted.', registers });
    this.#gcBytes = new Counter({ name: 'berth_gc_bytes_reclaimed_total', help: 'Bytes garbage collection reclaimed.', registers });
    this.#gcOrphans = new Gauge({ name: 'berth_gc_orphans', help: 'Orphan blobs (stored bytes without a row) the last garbage collection pass reclaimed.', registers });
    this.#gcDuration = new Histogram({
      name: 'berth_gc_duration_seconds',
      help: 'How long garbage collection passes took.',
      buckets: [0.1, 1, 10, 60, 300, 1800, 3600],
      registers,
    });
    this.#lifecycleRuns = new Counter({ name: 'berth_lifecycle_runs_total', help: 'Lifecycle policy passes completed.', registers });
    this.#lifecycleRepositories = new Counter({ name: 'berth_lifecycle_repositories_evaluated_total', help: 'Repositories whose lifecycle policy was evaluated.', registers });
    this.#lifecycleExpired = new Counter({ name: 'berth_lifecycle_images_expired_total', help: 'Images lifecycle policies expired.', registers });
    this.#processErrors = new Counter({
      name: 'berth_process_errors_total',
      help: 'Errors that escaped every handler (each a bug, logged at fatal), by kind; an uncaught exception also ends the process after a drain.',
      labelNames: ['kind'],
      registers,
    });
    // Both series exist from the start, so an alert on any increase needs no absent() clause.
    for (const kind of ['uncaughtException', 'unhandledRejection'] satisfies ProcessErrorKind[]) this.#processErrors.inc({ kind }, 0);
    collectDefaultMetrics({ register: this.registry });
  }

  /** One answered request: `status` is the response's status code, `seconds` from arrival to close. */
  observeRequest(operation: string, status: number, seconds: number): void {
    this.#requests.observe(operation, status, seconds);
  }

  recordGcRun(run: GcRunSummary): void {
    this.#gcRuns.inc();
    this.#gcBlobs.inc(run.blobsDeleted);
    this.#gcBytes.inc(run.bytesReclaimed);
    this.#gcOrphans.set(run.orphans);
    this.#gcDuration.observe(run.durationSeconds);
  }

  recordLifecycleRun(run: LifecycleRunSummary): void {
    this.#lifecycleRuns.inc();
    this.#lifecycleRepositories.inc(run.repositoriesEvaluated);
    this.#lifecycleExpired.inc(run.imagesExpired);
  }

  recordProcessError(kind: ProcessErrorKind): void {
    this.#processErrors.inc({ kind });
  }

  /** The exposition text and its content type, for GET /metrics. */
  async exposition(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
