// Request counts and latencies per (operation, status), kept in plain arrays: the
// hot path finds its entry in a map and bumps two numbers and one bucket, with no
// label hashing or validation (prom-client's own Histogram costs about 0.5 µs per
// observation, measured). prom-client reads the entries at scrape time through two
// metric objects shaped as its registry expects (get() → name, help, type, values).

export interface MetricValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

/** What prom-client's Registry needs of a metric. */
export interface CollectedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): { name: string; help: string; type: string; aggregator: 'sum'; values: MetricValue[] };
  reset(): void;
}

interface Entry {
  readonly operation: string;
  readonly status: string;
  count: number;
  sum: number;
  /** Per bucket: observations at or below its bound and above the previous one (made cumulative on scrape). */
  readonly buckets: number[];
}

export class RequestStats {
  readonly #bounds: readonly number[];
  readonly #entries = new Map<string, Entry>();

  /** `bounds` in seconds, ascending; +Inf is implied. */
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }

  observe(operation: string, status: number, seconds: number): void {
    const key = `${operation} ${status}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { operation, status: String(status), count: 0, sum: 0, buckets: new Array<number>(this.#bounds.length + 1).fill(0) };
      this.#entries.set(key, entry);
    }
    entry.count += 1;
    entry.sum += seconds;
    let bucket = 0;
    while (bucket < this.#bounds.length && seconds > this.#bounds[bucket]!) bucket++;
    entry.buckets[bucket]! += 1;
  }

  /** The request counter: one value per (operation, status). */
  counter(name: string, help: string): CollectedMetric {
    const values = (): MetricValue[] => [...this.#entries.values()].map((entry) => ({ value: entry.count, labels: { operation: entry.operation, status: entry.status } }));
    return collected(name, help, 'counter', values, () => this.#entries.clear());
  }

  /** The latency histogram: cumulative buckets, sum and count per (operation, status). */
  histogram(name: string, help: string): CollectedMetric {
    const values = (): MetricValue[] => {
      const out: MetricValue[] = [];
      for (const entry of this.#entries.values()) {
        const labels = { operation: entry.operation, status: entry.status };
        let cumulative = 0;
        for (const [index, count] of entry.buckets.entries()) {
          cumulative += count;
          const le = index < this.#bounds.length ? this.#bounds[index]! : '+Inf';
          out.push({ value: cumulative, labels: { le, ...labels }, metricName: `${name}_bucket` });
        }
        out.push({ value: entry.sum, labels, metricName: `${name}_sum` });
        out.push({ value: entry.count, labels, metricName: `${name}_count` });
      }
      return out;
    };
    return collected(name, help, 'histogram', values, () => this.#entries.clear());
  }
}

function collected(name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValue[], reset: () => void): CollectedMetric {
  return { name, help, type, aggregator: 'sum', get: () => ({ name, help, type, aggregator: 'sum', values: values() }), reset };
}
