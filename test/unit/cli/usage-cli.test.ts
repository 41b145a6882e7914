import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUsageArgs, UsageArgsError } from '../../../src/cli/usage/usage-args.ts';
import { formatReport, humanBytes, humanMoney } from '../../../src/cli/usage/usage-format.ts';
import { runUsage } from '../../../src/cli/usage/run-usage.ts';
import { buildUsageReport } from '../../../src/usage/usage-report.ts';
import { DEFAULT_PRICES, GB } from '../../../src/usage/prices.ts';
import { SqliteMetadataStore } from '../../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

test('arguments: month, format and the deployment options; mistakes are usage errors', () => {
  assert.deepEqual(parseUsageArgs([]), { help: false, format: 'table', configFlags: {} });
  assert.deepEqual(parseUsageArgs(['--month', '2026-02', '--format=csv', '--config', 'b.yaml', '--data-dir', '/d']), {
    help: false,
    month: '2026-02',
    format: 'csv',
    configFile: 'b.yaml',
    configFlags: { dataDir: '/d' },
  });
  assert.equal(parseUsageArgs(['-h']).help, true);
  for (const [argv, message] of [
    [['--month', '2026-13'], /--month must be a month such as 2026-11/],
    [['--month', 'feb'], /--month must be a month/],
    [['--format', 'xml'], /--format must be table, json or csv/],
    [['--month'], /--month needs a value/],
    [['--format', '--month'], /--format needs a value/],
    [['--repository', 'x'], /unexpected argument --repository/],
    [['extra'], /unexpected argument extra/],
  ] as const) {
    assert.throws(() => parseUsageArgs(argv), (error: unknown) => error instanceof UsageArgsError && message.test(error.message), argv.join(' '));
  }
});

const report = buildUsageReport({
  month: '2026-02',
  today: '2026-05-01',
  prices: DEFAULT_PRICES,
  traffic: [
    { day: '2026-02-03', repository: 'team/app', bytesIn: 3 * GB, bytesOut: 20 * GB, pushes: 4, pulls: 40 },
    { day: '2026-02-03', repository: 'a,"odd"', bytesIn: 10, bytesOut: 5, pushes: 1, pulls: 1 },
  ],
  snapshots: [{ day: '2026-02-10', repositories: [{ repository: 'team/app', bytes: 2 * GB }], registry: 2 * GB, takenAt: new Date('2026-02-10T01:00:00Z') }],
});

test('table: aligned columns, a total line, the deduplicated registry and the prices', () => {
  const text = formatReport(report, 'table');
  const lines = text.split('\n');
  assert.match(lines[0]!, /^Usage for 2026-02 \(28 days\); stored bytes observed on 1 day\.$/);
  const header = lines[2]!;
  const rows = lines.filter((line) => /^(team\/app|a,"odd"|TOTAL) /.test(line));
  assert.equal(rows.length, 3);
  // Figures are right-aligned under their headings.
  for (const heading of ['STORED', 'GB-MONTHS', 'OUT', 'PULLS', 'COST']) {
    const end = header.indexOf(heading) + heading.length;
    for (const row of rows) assert.notEqual(row[end - 1], ' ', `${heading} column ends at ${end} in "${row}"`);
  }
  const app = rows.find((row) => row.startsWith('team/app'))!;
  assert.match(app, /2\.00 GiB/);
  assert.match(app, /20\.0 GiB/);
  assert.match(app, /\$1\.71/, '19 GB beyond the free one at $0.09');
  assert.match(text, /Registry after deduplication: 2\.00 GiB stored/);
  assert.match(text, /storage \$0\.1 per GB-month/);
});

test('json: exact figures for programs', () => {
  const json = JSON.parse(formatReport(report, 'json')) as { repositories: Array<{ repository: string; bytesOut: number; gbMonths: number | null; storedBytes: number | null; cost: { transfer: number } }>; total: { bytesIn: number; pulls: number; cost: { total: number } }; registry: { storedBytes: number }; month: string; prices: { transferOut: Array<{ upToGb: number | null }> } };
  assert.equal(json.month, '2026-02');
  const app = json.repositories.find((row) => row.repository === 'team/app')!;
  assert.equal(app.bytesOut, 20 * GB);
  assert.equal(app.storedBytes, 2 * GB);
  assert.equal(app.gbMonths, 2);
  assert.equal(json.repositories.find((row) => row.repository === 'a,"odd"')!.storedBytes, 0, 'observed that day, absent: stored nothing');
  assert.equal(json.total.bytesIn, 3 * GB + 10);
  assert.equal(json.total.pulls, 41);
  assert.equal(json.registry.storedBytes, 2 * GB);
  assert.equal(json.prices.transferOut.at(-1)!.upToGb, null, 'the open-ended tier');
});

test('csv: a header, one row per repository, the total and the registry, quoted where needed', () => {
  const lines = formatReport(report, 'csv').trimEnd().split('\n');
  assert.equal(lines[0], 'scope,repository,stored_bytes,gb_months,bytes_in,bytes_out,pushes,pulls,storage_cost,transfer_cost,total_cost');
  assert.equal(lines[1], 'repository,"a,""odd""",0,0,10,5,1,1,0,0,0');
  assert.match(lines[2]!, /^repository,team\/app,2147483648,2,3221225472,21474836480,4,40,0\.2,1\.71,1\.91$/);
  assert.match(lines[3]!, /^total,,2147483648,2,/);
  assert.equal(lines[4], 'registry,,2147483648,2,,,,,,,');
});

test('human units', () => {
  assert.equal(humanBytes(null), '-');
  assert.equal(humanBytes(1023), '1023 B');
  assert.equal(humanBytes(1536), '1.50 KiB');
  assert.equal(humanBytes(20 * GB), '20.0 GiB');
  assert.equal(humanMoney(0), '$0.00');
  assert.equal(humanMoney(0.004), '<$0.01');
  assert.equal(humanMoney(12.345), '$12.35');
});

test('runUsage: reads the stores of a data directory; usage mistakes exit 2', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-usage-cli-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const store = SqliteMetadataStore.open({ path: join(dataDir, 'berth.db') });
  await store.usage.addTraffic([{ day: '2026-03-04', repository: 'x/y', bytesIn: 1, bytesOut: 2, pushes: 3, pulls: 4 }]);
  await store.close();
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text), env: {}, cwd: dataDir, now: () => new Date('2026-04-02T00:00:00Z') };
  assert.equal(await runUsage(['--data-dir', dataDir, '--month', '2026-03', '--format', 'json'], io), 0);
  const json = JSON.parse(out.join('')) as { repositories: Array<{ repository: string; pulls: number }>; period: string };
  assert.equal(json.period, 'past');
  assert.deepEqual(json.repositories.map((row) => [row.repository, row.pulls]), [['x/y', 4]]);
  assert.equal(await runUsage(['--format', 'yaml'], io), 2);
  assert.match(err.join(''), /berth usage: --format must be table, json or csv/);
  assert.equal(await runUsage(['--data-dir', dataDir], { ...io, env: { BERTH_USAGE_PRICE_STORAGE: 'free' } }), 2);
  assert.match(err.join(''), /configuration error: usage\.prices\.storagePerGbMonth/);
});
