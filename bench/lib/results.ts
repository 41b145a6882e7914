// Collecting per-run values into metrics, summarising them and printing the table.
import type { Usage } from './monitor.ts';
import type { ServerKind } from './servers.ts';

export type SideKey = 'A' | 'B';
export type Better = 'higher' | 'lower';

export interface MetricDef {
  id: string;
  scenario: string;
  title: string;
  unit: string;
  better: Better;
}

export interface Run {
  pair: number;
  value: number;
  /** Server and client resources during the run; absent on secondary metrics (e.g. latency rows of a wrk run). */
  usage?: Usage;
  extra?: Record<string, number | string | boolean>;
}

export interface SideResult {
  server: ServerKind;
  runs: Run[];
  median: number | null;
  peakRssMiB: number | null;
  medianCpuS: number | null;
  medianClientCpuS: number | null;
  /** s3 backend: median over runs of the storage daemons' CPU seconds (all of them summed). */
  medianStoreCpuS?: number | null;
}

export interface MetricResult extends MetricDef {
  sides: Partial<Record<SideKey, SideResult>>;
  /** A/B per pair, in pair order (only pairs where both sides produced a value). */
  pairRatios: number[];
  ratioMedian: number | null;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export class Recorder {
  readonly #defs = new Map<string, MetricDef>();
  readonly #runs = new Map<string, Partial<Record<SideKey, Run[]>>>();
  readonly #servers: Record<SideKey, ServerKind>;

  constructor(servers: Record<SideKey, ServerKind>) {
    this.#servers = servers;
  }

  define(def: MetricDef): void {
    if (!this.#defs.has(def.id)) this.#defs.set(def.id, def);
  }

  add(id: string, side: SideKey, run: Run): void {
    if (!this.#defs.has(id)) throw new Error(`undefined metric ${id}`);
    let bySide = this.#runs.get(id);
    if (!bySide) this.#runs.set(id, (bySide = {}));
    (bySide[side] ??= []).push(run);
  }

  results(): MetricResult[] {
    const out: MetricResult[] = [];
    for (const def of this.#defs.values()) {
      const bySide = this.#runs.get(def.id) ?? {};
      const sides: Partial<Record<SideKey, SideResult>> = {};
      for (const key of ['A', 'B'] as const) {
        const runs = bySide[key];
        if (!runs || runs.length === 0) continue;
        const usages = runs.flatMap((r) => (r.usage ? [r.usage] : []));
        sides[key] = {
          server: this.#servers[key],
          runs,
          median: median(runs.map((r) => r.value)),
          peakRssMiB: usages.length ? Math.max(...usages.map((u) => u.rssPeakMiB)) : null,
          medianCpuS: median(usages.map((u) => u.serverCpuS)),
          medianClientCpuS: median(usages.map((u) => u.clientCpuS)),
        };
        const storeCpu = usages.flatMap((u) => (u.daemonCpuS ? [Object.values(u.daemonCpuS).reduce((a, b) => a + b, 0)] : []));
        if (storeCpu.length) sides[key].medianStoreCpuS = median(storeCpu);
      }
      const pairRatios: number[] = [];
      const a = bySide.A ?? [];
      const b = bySide.B ?? [];
      for (const ra of a) {
        const rb = b.find((r) => r.pair === ra.pair);
        if (rb && rb.value !== 0) pairRatios.push(ra.value / rb.value);
      }
      out.push({ ...def, sides, pairRatios, ratioMedian: median(pairRatios) });
    }
    return out;
  }
}

export function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a >= 1000) return n.toFixed(0);
  if (a >= 100) return n.toFixed(1);
  if (a >= 10) return n.toFixed(2);
  return n.toFixed(3);
}

function pad(s: string, w: number, right: boolean): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

/** Renders rows as an aligned plain-text table (also valid Markdown). */
export function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!, rightAligned[i] ?? false)).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

export function resultsTable(results: MetricResult[], labels: Record<SideKey, string>): string {
  // The storage daemons' column appears only when they were watched (s3 backend).
  const withStore = results.some((m) => m.sides.A?.medianStoreCpuS != null || m.sides.B?.medianStoreCpuS != null);
  const header = [
    'Scenario',
    'Unit',
    'Better',
    `${labels.A} median`,
    `${labels.B} median`,
    'Ratio A/B (median)',
    'Ratio A/B per pair',
    'Peak RSS MiB A / B',
    'CPU s/run A / B',
    ...(withStore ? ['Store CPU s/run A / B'] : []),
  ];
  const rows = results.map((m) => {
    const a = m.sides.A;
    const b = m.sides.B;
    return [
      m.title,
      m.unit,
      m.better === 'higher' ? 'higher' : 'lower',
      fmt(a?.median),
      fmt(b?.median),
      fmt(m.ratioMedian),
      m.pairRatios.map((r) => r.toFixed(2)).join(' '),
      a?.peakRssMiB == null && b?.peakRssMiB == null ? '' : `${fmt(a?.peakRssMiB)} / ${fmt(b?.peakRssMiB)}`,
      a?.medianCpuS == null && b?.medianCpuS == null ? '' : `${fmt(a?.medianCpuS)} / ${fmt(b?.medianCpuS)}`,
      ...(withStore ? [a?.medianStoreCpuS == null && b?.medianStoreCpuS == null ? '' : `${fmt(a?.medianStoreCpuS)} / ${fmt(b?.medianStoreCpuS)}`] : []),
    ];
  });
  return table(header, rows, [false, false, false, true, true, true, false, true, true, true]);
}
