// What a BatchDeleteImage request removes, decided before anything is deleted (pure).
// ECR's rules: naming a digest deletes the image with all its tags; naming a tag
// removes that tag, and the image goes with its last tag. An image that an index
// (manifest list) in the repository still lists is not deleted: naming it by digest
// fails with ImageReferencedByManifestList unless every index over it goes in the same
// request, and removing its last tag leaves it untagged. Nested indexes follow the
// same rule, so the set of deleted manifests is the largest one closed under "every
// index over it is deleted too".
import type { ImageId } from './image-ids.ts';

/** One resolved item of the request. */
export interface DeletionTarget {
  /** The identifier as requested, echoed in the answer. */
  readonly id: ImageId;
  /** The manifest it resolved to. */
  readonly digest: string;
  /** Set when the item names a tag: the tag is removed rather than the image. */
  readonly tag?: string;
}

/** What the store says about a target's manifest. */
export interface ManifestFacts {
  readonly tags: readonly string[];
  /** Indexes in the repository that list the manifest. */
  readonly parents: readonly string[];
}

export type DeletionOutcome =
  | { readonly target: DeletionTarget; readonly deleted: true }
  | { readonly target: DeletionTarget; readonly deleted: false; readonly referencedBy: readonly string[] };

export interface DeletionPlan {
  /** Tags to remove, each once. */
  readonly untag: readonly string[];
  /** Manifests to delete, every index before the manifests it lists. */
  readonly deleteManifests: readonly string[];
  /** One outcome per target, in request order. */
  readonly outcomes: readonly DeletionOutcome[];
}

export function planImageDeletion(targets: readonly DeletionTarget[], facts: ReadonlyMap<string, ManifestFacts>): DeletionPlan {
  const factsOf = (digest: string): ManifestFacts => facts.get(digest) ?? { tags: [], parents: [] };
  const untag = [...new Set(targets.flatMap((target) => (target.tag === undefined ? [] : [target.tag])))];
  const removedTags = new Set(untag);

  const deleting = new Set<string>();
  for (const target of targets) {
    if (target.tag === undefined) deleting.add(target.digest);
    else {
      const { tags } = factsOf(target.digest);
      if (tags.every((tag) => removedTags.has(tag))) deleting.add(target.digest);
    }
  }
  // Keep every manifest an index outside the set still lists, until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const digest of deleting) {
      if (factsOf(digest).parents.some((parent) => !deleting.has(parent))) {
        deleting.delete(digest);
        changed = true;
      }
    }
  }

  const outcomes = targets.map((target): DeletionOutcome => {
    if (target.tag !== undefined || deleting.has(target.digest)) return { target, deleted: true };
    return { target, deleted: false, referencedBy: factsOf(target.digest).parents.filter((parent) => !deleting.has(parent)) };
  });
  return { untag, deleteManifests: parentsFirst(deleting, factsOf), outcomes };
}

/** The digests ordered so that every index comes before the manifests it lists. */
function parentsFirst(digests: ReadonlySet<string>, factsOf: (digest: string) => ManifestFacts): string[] {
  const ordered: string[] = [];
  const remaining = new Set(digests);
  while (remaining.size > 0) {
    const ready = [...remaining].filter((digest) => !factsOf(digest).parents.some((parent) => remaining.has(parent)));
    // Content addressing rules out cycles; should facts ever claim one, stop ordering rather than loop.
    const next = ready.length > 0 ? ready : [...remaining];
    for (const digest of next) {
      ordered.push(digest);
      remaining.delete(digest);
    }
  }
  return ordered;
}
