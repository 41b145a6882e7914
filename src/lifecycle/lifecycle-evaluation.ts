// One evaluation of a repository's policy, shared by the preview and the run so that a
// preview lists exactly what a run then expires: the same store read, the same pure
// evaluator, the same order.
//
// The order differs from the evaluator's in one respect: here an image always comes
// after the image it goes with (a referrer after its subject, a child after every
// expired index listing it). The expire step only deletes an image whose carrier is
// already gone, so a push that re-tags a subject between the evaluation and its
// deletion keeps its signatures too. The price: a run stopped between a subject and
// its referrer leaves a referrer without a subject for a while, which OCI allows
// (referrers may even be pushed before their subject).
import type { LifecycleStore } from '../storage/meta/lifecycle-store.ts';
import { evaluateLifecyclePolicy } from './lifecycle-evaluator.ts';
import type { LifecycleExpiry, LifecycleImage, LifecyclePolicy } from './lifecycle-types.ts';

export interface RepositoryEvaluation {
  readonly repository: string;
  /** The repository as the evaluation read it. */
  readonly images: readonly LifecycleImage[];
  /** What the policy expires, each image after the ones it goes with. */
  readonly expiries: readonly LifecycleExpiry[];
  readonly evaluatedAt: Date;
}

export async function evaluateRepository(store: LifecycleStore, repository: string, policy: LifecyclePolicy, now: Date): Promise<RepositoryEvaluation> {
  const images = await store.images(repository);
  const expiries = carriersFirst(evaluateLifecyclePolicy(policy, images, now), images);
  return { repository, images, expiries, evaluatedAt: now };
}

/** The digests of the manifests that refer to `digest` (OCI subject), as the evaluation saw them. */
export function referrersIn(images: readonly LifecycleImage[]): (digest: string) => string[] {
  const bySubject = new Map<string, string[]>();
  for (const image of images) {
    if (image.subject === undefined) continue;
    bySubject.set(image.subject, [...(bySubject.get(image.subject) ?? []), image.digest]);
  }
  return (digest) => bySubject.get(digest) ?? [];
}

/**
 * The expiries reordered so that each comes after its prerequisites in the list: the
 * image it goes with (`via`) and every expired index that lists it. Otherwise the
 * evaluator's order is kept.
 */
export function carriersFirst(expiries: readonly LifecycleExpiry[], images: readonly LifecycleImage[]): LifecycleExpiry[] {
  const byDigest = new Map(expiries.map((expiry) => [expiry.digest, expiry]));
  const listingIndexes = new Map<string, string[]>();
  for (const image of images) {
    if (!byDigest.has(image.digest)) continue;
    for (const child of image.children) listingIndexes.set(child, [...(listingIndexes.get(child) ?? []), image.digest]);
  }
  const ordered: LifecycleExpiry[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (expiry: LifecycleExpiry): void => {
    if (placed.has(expiry.digest) || visiting.has(expiry.digest)) return; // content addressing rules out cycles; never loop on one
    visiting.add(expiry.digest);
    const prerequisites = [...(expiry.via !== undefined ? [expiry.via] : []), ...(listingIndexes.get(expiry.digest) ?? [])];
    for (const digest of prerequisites) {
      const prerequisite = byDigest.get(digest);
      if (prerequisite) place(prerequisite);
    }
    visiting.delete(expiry.digest);
    placed.add(expiry.digest);
    ordered.push(expiry);
  };
  for (const expiry of expiries) place(expiry);
  return ordered;
}
