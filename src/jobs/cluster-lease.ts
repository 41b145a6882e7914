// "Once across the cluster" for scheduled work: before each scheduled pass a node takes
// (or renews) the job's lease for one interval. The node that holds it keeps it by
// renewing; if it dies, its lease runs out and the next node to ask takes the job over.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { LeaseStore } from '../storage/meta/lease-store.ts';

/** This process's name as a lease holder: readable in the database, unique per start. */
export function leaseHolderName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** A function answering whether this node should run the job's pass now. */
export function clusterLease(leases: LeaseStore, job: string, holder: string, ttlMs: number, now: () => Date = () => new Date()): () => Promise<boolean> {
  return async () => {
    const at = now();
    return leases.tryAcquire(job, holder, new Date(at.getTime() + ttlMs), at);
  };
}
