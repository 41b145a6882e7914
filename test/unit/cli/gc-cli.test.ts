// `berth gc`'s arguments, progress output and summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GcUsageError, parseGcArgs } from '../../../src/cli/gc/gc-args.ts';
import { formatBytes, progressLine, progressPrinter, summaryText } from '../../../src/cli/gc/gc-report.ts';
import { emptySummary } from '../../../src/gc/gc-plan.ts';

test('arguments: flags, the grace period as a duration, and the deployment options', () => {
  assert.deepEqual(parseGcArgs([]), { help: false, dryRun: false, json: false, configFlags: {} });
  assert.deepEqual(parseGcArgs(['--dry-run', '--grace-period', '90m', '--config', 'berth.yaml', '--data-dir=/srv/data', '--json']), {
    help: false,
    dryRun: true,
    json: true,
    gracePeriodSeconds: 5400,
    configFile: 'berth.yaml',
    configFlags: { dataDir: '/srv/data' },
  });
  assert.equal(parseGcArgs(['--grace-period=0s']).gracePeriodSeconds, 0);
  assert.equal(parseGcArgs(['-h']).help, true);
});

test('arguments: mistakes are usage errors that say what is wrong', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--grace-period', 'soon'], /--grace-period must be a duration such as 24h, 30m or 0s, got "soon"/],
    [['--grace-period'], /--grace-period needs a value/],
    [['--grace-period', '--dry-run'], /--grace-period needs a value/],
    [['--dry-run=yes'], /unexpected argument --dry-run=yes/],
    [['now'], /unexpected argument now/],
    [['--port', '1'], /unexpected argument --port/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseGcArgs(argv), (error: unknown) => error instanceof GcUsageError && message.test(error.message), argv.join(' '));
});

test('bytes are shown in binary units', () => {
  assert.equal(formatBytes(0), '0 bytes');
  assert.equal(formatBytes(1023), '1023 bytes');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
});

test('a progress line has a bar when the total is known', () => {
  assert.equal(
    progressLine({ phase: 'sweep', done: 15, total: 60, bytesReclaimed: 2048 }),
    `[${'#'.repeat(8)}${'-'.repeat(22)}]  25% sweeping unreferenced blobs: 15/60, 2.0 KiB reclaimed`,
  );
  assert.equal(progressLine({ phase: 'orphans', done: 500, bytesReclaimed: 0 }), 'looking for orphaned bytes: 500 looked at, 0 bytes reclaimed');
});

test('progress: redrawn in place on a terminal, throttled plain lines elsewhere', () => {
  let clock = 0;
  const tty: string[] = [];
  const onTty = progressPrinter((text) => tty.push(text), true, () => clock);
  onTty.update({ phase: 'sweep', done: 1, total: 2, bytesReclaimed: 0 });
  clock += 50;
  onTty.update({ phase: 'sweep', done: 2, total: 2, bytesReclaimed: 0 });
  clock += 100;
  onTty.update({ phase: 'sweep', done: 2, total: 2, bytesReclaimed: 10 });
  onTty.update({ phase: 'orphans', done: 1, bytesReclaimed: 10 });
  onTty.done();
  assert.equal(tty.length, 4, 'the update 50 ms after the first is skipped');
  assert.ok(tty[0]!.startsWith('\r[') && tty[1]!.startsWith('\r['));
  assert.ok(tty[2]!.startsWith('\nlooking for orphaned bytes'), 'a new phase starts a new line');
  assert.equal(tty[3], '\n');

  clock = 0;
  const plain: string[] = [];
  const onFile = progressPrinter((text) => plain.push(text), false, () => clock);
  onFile.update({ phase: 'sweep', done: 1, total: 9, bytesReclaimed: 0 });
  clock += 400;
  onFile.update({ phase: 'sweep', done: 2, total: 9, bytesReclaimed: 0 });
  clock += 200;
  onFile.update({ phase: 'sweep', done: 3, total: 9, bytesReclaimed: 0 });
  onFile.done();
  assert.equal(plain.length, 2);
  assert.ok(plain.every((line) => line.endsWith('\n') && !line.includes('\r')));
});

test('the summary says what was (or would be) reclaimed', () => {
  const run = { ...emptySummary(false, 86400), blobsReclaimed: 3, bytesReclaimed: 15_000, orphansReclaimed: 1, orphanBytesReclaimed: 900, leftoversFinished: 2, blobsKept: 1, durationMs: 1234 };
  const text = summaryText(run);
  assert.match(text, /^berth gc: reclaimed 4 blobs, 15\.5 KiB \(15900 bytes\) in 1\.2 s\n/);
  assert.match(text, /unreferenced blobs: {2}3 \(15000 bytes\), older than the grace period of 86400 s/);
  assert.match(text, /orphaned bytes: {6}1 \(900 bytes\)/);
  assert.match(text, /finished from an earlier run: 2/);
  assert.match(text, /kept \(used meanwhile\): 1/);
  const dry = summaryText({ ...emptySummary(true, 0), blobsReclaimed: 1, bytesReclaimed: 10 });
  assert.match(dry, /^berth gc: would reclaim 1 blob, 10 bytes in 0\.0 s \(dry run: nothing was deleted\)/);
  assert.doesNotMatch(dry, /finished from an earlier run/);
  assert.match(summaryText({ ...run, stoppedEarly: 'stopped' }), /stopped early: stopped; run berth gc again to finish/);
});
