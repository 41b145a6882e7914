// The usage report as text: an aligned table for people, JSON and CSV for programs.
// JSON and CSV carry exact byte counts; costs are rounded to a millionth of a dollar.
import type { UsageFigures, UsageReport } from '../../usage/usage-report.ts';
import type { ReportFormat } from './usage-args.ts';

export function formatReport(report: UsageReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(reportJson(report), null, 2)}\n`;
  if (format === 'csv') return reportCsv(report);
  return reportTable(report);
}

const money = (value: number) => Math.round(value * 1e6) / 1e6;
const gbMonths = (value: number | null) => (value === null ? null : Math.round(value * 1e9) / 1e9);

function figuresJson(figures: UsageFigures) {
  return {
    storedBytes: figures.storedBytes,
    gbMonths: gbMonths(figures.gbMonths),
    bytesIn: figures.bytesIn,
    bytesOut: figures.bytesOut,
    pushes: figures.pushes,
    pulls: figures.pulls,
    cost: { storage: money(figures.storageCost), transfer: money(figures.transferCost), total: money(figures.cost) },
  };
}

export function reportJson(report: UsageReport): object {
  return {
    month: report.month,
    period: report.period,
    daysInMonth: report.daysInMonth,
    daysCovered: report.daysCovered,
    daysObserved: report.daysObserved,
    currency: 'USD',
    prices: {
      storagePerGbMonth: report.prices.storagePerGbMonth,
      transferOut: report.prices.transferOut.map((tier) => ({ upToGb: Number.isFinite(tier.upToGb) ? tier.upToGb : null, pricePerGb: tier.pricePerGb })),
    },
    repositories: report.repositories.map((row) => ({ repository: row.repository, ...figuresJson(row) })),
    total: figuresJson(report.total),
    registry: { storedBytes: report.registry.storedBytes, gbMonths: gbMonths(report.registry.gbMonths) },
  };
}

const CSV_COLUMNS = ['scope', 'repository', 'stored_bytes', 'gb_months', 'bytes_in', 'bytes_out', 'pushes', 'pulls', 'storage_cost', 'transfer_cost', 'total_cost'];

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One row per repository (scope `repository`), one for them all (`total`: what ECR would
 * bill) and one for the registry after deduplication (`registry`: stored bytes only).
 */
export function reportCsv(report: UsageReport): string {
  const row = (scope: string, repository: string, figures: UsageFigures) =>
    [scope, repository, figures.storedBytes, gbMonths(figures.gbMonths), figures.bytesIn, figures.bytesOut, figures.pushes, figures.pulls, money(figures.storageCost), money(figures.transferCost), money(figures.cost)];
  const rows: Array<Array<string | number | null>> = [
    CSV_COLUMNS,
    ...report.repositories.map((usage) => row('repository', usage.repository, usage)),
    row('total', '', report.total),
    ['registry', '', report.registry.storedBytes, gbMonths(report.registry.gbMonths), '', '', '', '', '', '', ''],
  ];
  return rows.map((fields) => fields.map(csvField).join(',')).join('\n') + '\n';
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes for people, three significant digits or so: 1023 B, 1.50 MiB, 20.0 GiB, 312 MiB. */
export function humanBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${UNITS[unit]}`;
}

export function humanMoney(value: number): string {
  if (value > 0 && value < 0.01) return '<$0.01';
  return `$${value.toFixed(2)}`;
}

function humanGbMonths(value: number | null): string {
  if (value === null) return '-';
  return value === 0 ? '0' : value < 0.0001 ? '<0.0001' : value.toFixed(4);
}

export function reportTable(report: UsageReport): string {
  const header = ['REPOSITORY', 'STORED', 'GB-MONTHS', 'IN', 'OUT', 'PUSHES', 'PULLS', 'STORAGE', 'TRANSFER', 'COST'];
  const line = (name: string, figures: UsageFigures) => [
    name,
    humanBytes(figures.storedBytes),
    humanGbMonths(figures.gbMonths),
    humanBytes(figures.bytesIn),
    humanBytes(figures.bytesOut),
    String(figures.pushes),
    String(figures.pulls),
    humanMoney(figures.storageCost),
    humanMoney(figures.transferCost),
    humanMoney(figures.cost),
  ];
  const body = report.repositories.map((row) => line(row.repository, row));
  const total = line('TOTAL', report.total);
  const rows = [header, ...body, total];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  // Names to the left, figures to the right.
  const render = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const scope =
    report.period === 'current'
      ? `${report.month}, month to date (${report.daysCovered} of ${report.daysInMonth} days)`
      : report.period === 'past'
        ? `${report.month} (${report.daysInMonth} days)`
        : `${report.month} (not begun)`;
  const observed =
    report.daysObserved === 0
      ? 'stored bytes: no snapshot in this month, so no storage figure'
      : `stored bytes observed on ${report.daysObserved} day${report.daysObserved === 1 ? '' : 's'}${report.period === 'current' ? ' (today: live)' : ''}`;
  return [
    `Usage for ${scope}; ${observed}.`,
    '',
    render(header),
    rule,
    ...body.map(render),
    ...(body.length > 0 ? [rule] : []),
    render(total),
    '',
    `Registry after deduplication: ${humanBytes(report.registry.storedBytes)} stored, ${humanGbMonths(report.registry.gbMonths)} GB-months (each blob once across repositories; TOTAL counts a blob in every repository that holds it, as ECR bills).`,
    `Prices (USD): storage $${report.prices.storagePerGbMonth} per GB-month; transfer out ${report.prices.transferOut
      .map((tier) => `${Number.isFinite(tier.upToGb) ? `to ${tier.upToGb} GB` : 'beyond'} $${tier.pricePerGb}/GB`)
      .join(', ')} (1 GB = 2^30 bytes). Estimates, not a bill.`,
    '',
  ].join('\n');
}
