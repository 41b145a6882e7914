// What `berth gc` prints: a progress bar on a terminal (plain lines otherwise) while
// it runs, and the summary at the end. Pure: text in, text out.
import type { GcProgress, GcSummary } from '../../gc/gc-plan.ts';
import { totalBytesReclaimed } from '../../gc/gc-plan.ts';

const BAR_WIDTH = 30;

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

const PHASES: Record<GcProgress['phase'], string> = {
  leftovers: 'finishing an earlier run',
  sweep: 'sweeping unreferenced blobs',
  orphans: 'looking for orphaned bytes',
};

/** One progress line: with a bar when the phase's total is known. */
export function progressLine(progress: GcProgress): string {
  const reclaimed = `${formatBytes(progress.bytesReclaimed)} reclaimed`;
  if (progress.total === undefined || progress.total === 0) return `${PHASES[progress.phase]}: ${progress.done} looked at, ${reclaimed}`;
  const fraction = Math.min(1, progress.done / progress.total);
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  return `${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% ${PHASES[progress.phase]}: ${progress.done}/${progress.total}, ${reclaimed}`;
}

export function summaryText(summary: GcSummary): string {
  const verb = summary.dryRun ? 'would reclaim' : 'reclaimed';
  const blobs = summary.blobsReclaimed + summary.orphansReclaimed;
  const bytes = totalBytesReclaimed(summary);
  const lines = [
    `berth gc: ${verb} ${blobs} blob${blobs === 1 ? '' : 's'}, ${formatBytes(bytes)}${bytes >= 1024 ? ` (${bytes} bytes)` : ''} in ${(summary.durationMs / 1000).toFixed(1)} s` +
      `${summary.dryRun ? ' (dry run: nothing was deleted)' : ''}`,
    `  unreferenced blobs:  ${summary.blobsReclaimed} (${summary.bytesReclaimed} bytes), older than the grace period of ${summary.gracePeriodSeconds} s`,
    `  orphaned bytes:      ${summary.orphansReclaimed} (${summary.orphanBytesReclaimed} bytes)`,
  ];
  if (!summary.dryRun) {
    lines.push(`  finished from an earlier run: ${summary.leftoversFinished}`);
    lines.push(`  kept (used meanwhile): ${summary.blobsKept}`);
  }
  if (summary.stoppedEarly !== undefined) lines.push(`  stopped early: ${summary.stoppedEarly}; run berth gc again to finish`);
  return `${lines.join('\n')}\n`;
}

/**
 * Progress output: on a terminal one line redrawn in place (at most every 100 ms); into
 * a file or pipe, plain lines: the first of each phase, then at most one every 500 ms.
 */
export function progressPrinter(write: (text: string) => void, isTty: boolean, now: () => number = Date.now): { update(progress: GcProgress): void; done(): void } {
  let lastAt = 0;
  let lastPhase: GcProgress['phase'] | undefined;
  let drawn = false;
  return {
    update: (progress) => {
      const at = now();
      const newPhase = progress.phase !== lastPhase;
      if (!newPhase && at - lastAt < (isTty ? 100 : 500)) return;
      lastAt = at;
      lastPhase = progress.phase;
      if (isTty) {
        write(`${newPhase && drawn ? '\n' : '\r'}${progressLine(progress)}\x1b[K`);
        drawn = true;
      } else {
        write(`${progressLine(progress)}\n`);
      }
    },
    done: () => {
      if (isTty && drawn) write('\n');
    },
  };
}
