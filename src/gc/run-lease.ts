// Only one collector runs at a time across every server node and `berth gc`: a run
// holds the lease GC_RUN_LEASE, renewed while it works and released when it ends. Two
// collectors at once would be unsafe: each starts by finishing the marks a crashed run
// left, and could finish the other's mark while that one's delete is still on its way,
// after an upload had stored the digest afresh. A collector that dies stops renewing;
// its lease lapses after RUN_LEASE_TTL_MS and the next run finishes its marks.
import { leaseHolderName } from '../jobs/cluster-lease.ts';
import type { LeaseStore } from '../storage/meta/lease-store.ts';
import { leaseStillSafe } from './gc-plan.ts';

export const GC_RUN_LEASE = 'gc-run';
export const RUN_LEASE_TTL_MS = 20_000;
const RENEW_EVERY_MS = 4_000;
/** A collector stops deleting once less than this is left of its lease (it failed to renew in time). */
const SAFETY_MARGIN_MS = 8_000;

export interface RunLease {
  /** True while this collector certainly still holds the lease, with a margin. */
  stillHeld(): boolean;
  release(): Promise<void>;
}

/** Takes the run lease, or undefined while another collector holds it. */
export async function takeRunLease(leases: LeaseStore, now: () => number = Date.now): Promise<RunLease | undefined> {
  const holder = leaseHolderName();
  let heldUntil = 0;
  const take = async (): Promise<boolean> => {
    const at = now();
    const until = at + RUN_LEASE_TTL_MS;
    const held = await leases.tryAcquire(GC_RUN_LEASE, holder, new Date(until), new Date(at));
    heldUntil = held ? until : 0;
    return held;
  };
  if (!(await take())) return undefined;
  const renew = setInterval(() => {
    take().catch(() => {
      // Not renewed: stillHeld() turns false once the margin is reached.
    });
  }, RENEW_EVERY_MS);
  renew.unref();
  return {
    stillHeld: () => leaseStillSafe(heldUntil, now(), SAFETY_MARGIN_MS),
    release: async () => {
      clearInterval(renew);
      heldUntil = 0;
      await leases.release(GC_RUN_LEASE, holder);
    },
  };
}

/** Waits up to `waitMs` for the run lease (a collector that just died holds it until its lease lapses). */
export async function waitForRunLease(leases: LeaseStore, waitMs: number, onWait?: () => void): Promise<RunLease | undefined> {
  const giveUpAt = Date.now() + waitMs;
  for (let first = true; ; first = false) {
    const lease = await takeRunLease(leases);
    if (lease || Date.now() >= giveUpAt) return lease;
    if (first) onWait?.();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
