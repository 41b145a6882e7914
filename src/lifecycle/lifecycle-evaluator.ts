// The pure lifecycle evaluator: which manifests of one repository a policy
// expires now. The preview and the run both call it, so a preview lists exactly
// what a run then deletes.
//
// Rules, as ECR documents them ("Lifecycle policy evaluation rules"):
// - All rules are evaluated against the same images, then applied in priority
//   order (lowest rulePriority first); an image is expired by at most one rule.
// - An image that matches the tag requirements of a rule is never expired by a
//   rule of lower priority (higher rulePriority), but lower rules still COUNT it
//   for imageCountMoreThan as if nothing had expired it.
// - imageCountMoreThan N: the matching images sorted youngest first by push time;
//   everything after the first N is expired. Equal push times are ordered by
//   digest (the smaller digest counts as the younger), so results are stable.
// - sinceImagePushed N days: expired when pushed more than N×24 h before `now`.
// - sinceImagePulled N days: expired when its last recorded pull is more than
//   N×24 h before `now`. ECR's documentation does not say what an image that was
//   never pulled counts from; Berth counts it from its push (otherwise a fresh
//   push would expire at once, or never), and a push after the last pull (the
//   same digest pushed again) counts as use too. ECR only allows sinceImagePulled
//   with its archive transition; Berth expires (see the grammar).
//
// Graph awareness (ECR does not do this): rules count and select only TOP-LEVEL
// manifests, i.e. manifests no index of the repository lists and that are not
// referrers (OCI `subject`) of a manifest present in the repository. A tagged
// manifest is always top-level: someone named it. From there:
// - every manifest reachable from a kept top-level manifest (through index
//   children and through referrers, recursively) is kept, even one a rule
//   selected — so children of a kept index are never expired on their own, a
//   child shared by a kept and an expired index stays, and signatures of kept
//   images stay;
// - everything else reachable from an expired manifest goes with it: the
//   children of an expired index ('index-child') and the referrers of an expired
//   manifest ('referrer'), recursively (nested indexes, attestations of children,
//   referrers of referrers).
//
// Output order (what a runner deleting one by one relies on): an index comes
// before the manifests it lists, and a referrer comes before its subject. So a
// run stopped half-way never leaves an index pointing at a deleted child nor a
// referrer whose subject is gone. Among manifests free to go next, the order is
// the order they were found: rule-expired images by rule priority, then oldest
// push first, then digest; each followed by what it carries, breadth first.
import { tagsMatchAllPatterns, tagsMatchAllPrefixes } from './tag-pattern.ts';
import type { LifecycleExpiry, LifecycleImage, LifecyclePolicy, LifecycleRule } from './lifecycle-types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The manifests the policy expires now, in a safe deletion order (see above). */
export function evaluateLifecyclePolicy(
  policy: LifecyclePolicy,
  images: readonly LifecycleImage[],
  now: Date,
): LifecycleExpiry[] {
  const graph = buildGraph(images);
  // From the graph's map, so a manifest given twice is still counted once.
  const topLevel = [...graph.byDigest.values()].filter((image) => isTopLevel(image, graph));
  const ruleExpired = applyRules(policy, topLevel, now);
  if (ruleExpired.size === 0) return [];

  const kept = reachable(
    topLevel.filter((image) => !ruleExpired.has(image.digest)).map((image) => image.digest),
    graph,
  );
  const roots = [...ruleExpired.keys()]
    .filter((digest) => !kept.has(digest))
    .map((digest) => graph.byDigest.get(digest)!)
    .sort((a, b) => ruleExpired.get(a.digest)! - ruleExpired.get(b.digest)! || compareOldestFirst(a, b));
  const carried = carryAlong(roots, ruleExpired, kept, graph);
  return deletionOrder(carried, graph);
}

// ---------------------------------------------------------------------------
// The repository's manifest graph.

interface ManifestGraph {
  readonly byDigest: ReadonlyMap<string, LifecycleImage>;
  /** Index → the listed manifests present in the repository (in listing order). */
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** Subject → the manifests present whose subject it is (by digest). */
  readonly referrers: ReadonlyMap<string, readonly string[]>;
  /** Manifests listed by at least one index of the repository. */
  readonly listed: ReadonlySet<string>;
}

function buildGraph(images: readonly LifecycleImage[]): ManifestGraph {
  const byDigest = new Map(images.map((image) => [image.digest, image]));
  const children = new Map<string, string[]>();
  const referrers = new Map<string, string[]>();
  const listed = new Set<string>();
  for (const image of images) {
    const present = [...new Set(image.children)].filter((child) => byDigest.has(child) && child !== image.digest);
    if (present.length > 0) children.set(image.digest, present);
    for (const child of present) listed.add(child);
    if (image.subject !== undefined && image.subject !== image.digest && byDigest.has(image.subject)) {
      const list = referrers.get(image.subject) ?? [];
      list.push(image.digest);
      referrers.set(image.subject, list);
    }
  }
  for (const list of referrers.values()) list.sort();
  return { byDigest, children, referrers, listed };
}

function isTopLevel(image: LifecycleImage, graph: ManifestGraph): boolean {
  if (image.tags.length > 0) return true;
  if (graph.listed.has(image.digest)) return false;
  return image.subject === undefined || !graph.byDigest.has(image.subject);
}

/** Every manifest reachable from `from` through index children and referrers (`from` included). */
function reachable(from: readonly string[], graph: ManifestGraph): Set<string> {
  const seen = new Set<string>(from);
  const queue = [...from];
  for (let head = 0; head < queue.length; head++) {
    const digest = queue[head]!;
    for (const next of [...(graph.children.get(digest) ?? []), ...(graph.referrers.get(digest) ?? [])]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------
// ECR's rule semantics on the top-level manifests.

/** Digest → rulePriority of the rule that expires it. */
function applyRules(policy: LifecyclePolicy, topLevel: readonly LifecycleImage[], now: Date): Map<string, number> {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const expired = new Map<string, number>();
  // Images matched by the tag requirements of a higher-priority rule: protected
  // from every rule after it, expired or not.
  const claimed = new Set<string>();
  for (const rule of rules) {
    const matching = topLevel.filter((image) => matchesTagRequirements(rule, image));
    for (const image of selectedByCount(rule, matching, now)) {
      if (!claimed.has(image.digest) && !expired.has(image.digest)) expired.set(image.digest, rule.rulePriority);
    }
    for (const image of matching) claimed.add(image.digest);
  }
  return expired;
}

function matchesTagRequirements(rule: LifecycleRule, image: LifecycleImage): boolean {
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  switch (tagStatus) {
    case 'any':
      return true;
    case 'untagged':
      return image.tags.length === 0;
    case 'tagged':
      if (image.tags.length === 0) return false;
      if (tagPatternList !== undefined && tagPatternList.length > 0) {
        return tagsMatchAllPatterns(image.tags, tagPatternList);
      }
      return tagPrefixList !== undefined && tagPrefixList.length > 0 && tagsMatchAllPrefixes(image.tags, tagPrefixList);
  }
}

/** The matching images the rule's count condition marks (before priority is applied). */
function selectedByCount(rule: LifecycleRule, matching: readonly LifecycleImage[], now: Date): LifecycleImage[] {
  const { countType, countNumber } = rule.selection;
  switch (countType) {
    case 'imageCountMoreThan':
      return [...matching].sort(compareYoungestFirst).slice(countNumber);
    case 'sinceImagePushed':
      return matching.filter((image) => now.getTime() - image.pushedAt.getTime() > countNumber * DAY_MS);
    case 'sinceImagePulled':
      return matching.filter((image) => now.getTime() - lastUsed(image) > countNumber * DAY_MS);
    case 'sinceImageTransitioned':
      // Refused by the grammar: Berth has no archive class, so nothing is ever transitioned.
      return [];
  }
}

function lastUsed(image: LifecycleImage): number {
  const pushed = image.pushedAt.getTime();
  return image.lastPulledAt === undefined ? pushed : Math.max(pushed, image.lastPulledAt.getTime());
}

function compareYoungestFirst(a: LifecycleImage, b: LifecycleImage): number {
  return b.pushedAt.getTime() - a.pushedAt.getTime() || compareDigests(a.digest, b.digest);
}

function compareOldestFirst(a: LifecycleImage, b: LifecycleImage): number {
  return a.pushedAt.getTime() - b.pushedAt.getTime() || compareDigests(a.digest, b.digest);
}

function compareDigests(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------
// What goes with the rule-expired manifests, and in which order.

interface Found {
  readonly expiry: LifecycleExpiry;
  /** Discovery rank: the tie-break of the deletion order. */
  readonly rank: number;
}

function carryAlong(
  roots: readonly LifecycleImage[],
  ruleExpired: ReadonlyMap<string, number>,
  kept: ReadonlySet<string>,
  graph: ManifestGraph,
): Map<string, Found> {
  const found = new Map<string, Found>();
  const record = (image: LifecycleImage, expiry: Omit<LifecycleExpiry, 'digest' | 'tags' | 'pushedAt'>): void => {
    found.set(image.digest, {
      expiry: { digest: image.digest, tags: [...image.tags], pushedAt: image.pushedAt, ...expiry },
      rank: found.size,
    });
  };
  for (const root of roots) record(root, { rulePriority: ruleExpired.get(root.digest)!, reason: 'rule' });
  for (const root of roots) {
    const queue = [root.digest];
    for (let head = 0; head < queue.length; head++) {
      const carrier = queue[head]!;
      const rulePriority = found.get(carrier)!.expiry.rulePriority;
      const edges: Array<[string, 'index-child' | 'referrer']> = [
        ...(graph.children.get(carrier) ?? []).map((d): [string, 'index-child'] => [d, 'index-child']),
        ...(graph.referrers.get(carrier) ?? []).map((d): [string, 'referrer'] => [d, 'referrer']),
      ];
      for (const [digest, reason] of edges) {
        if (kept.has(digest) || found.has(digest)) continue;
        record(graph.byDigest.get(digest)!, { rulePriority, reason, via: carrier });
        queue.push(digest);
      }
    }
  }
  return found;
}

/**
 * Kahn's topological order over the expired manifests, with "index before child"
 * and "referrer before subject" as the edges and discovery rank as the tie-break.
 * Content addressing makes a cycle impossible in real data; if the input has one
 * anyway, the lowest-ranked remaining manifest is emitted to break it.
 */
function deletionOrder(found: ReadonlyMap<string, Found>, graph: ManifestGraph): LifecycleExpiry[] {
  const mustFollow = new Map<string, string[]>(); // digest → manifests that may only go after it
  const waitingOn = new Map<string, number>(); // digest → manifests that must go before it
  for (const digest of found.keys()) waitingOn.set(digest, 0);
  const addEdge = (before: string, after: string): void => {
    if (!found.has(before) || !found.has(after) || before === after) return;
    const list = mustFollow.get(before) ?? [];
    list.push(after);
    mustFollow.set(before, list);
    waitingOn.set(after, waitingOn.get(after)! + 1);
  };
  for (const digest of found.keys()) {
    for (const child of graph.children.get(digest) ?? []) addEdge(digest, child);
    const subject = graph.byDigest.get(digest)!.subject;
    if (subject !== undefined) addEdge(digest, subject);
  }

  const rankOf = (digest: string): number => found.get(digest)!.rank;
  const ready = new MinHeap<string>((a, b) => rankOf(a) - rankOf(b));
  for (const [digest, count] of waitingOn) if (count === 0) ready.push(digest);
  const emitted = new Set<string>();
  const order: LifecycleExpiry[] = [];
  while (order.length < found.size) {
    let next = ready.pop();
    if (next === undefined) {
      next = [...found.keys()].filter((d) => !emitted.has(d)).sort((a, b) => rankOf(a) - rankOf(b))[0]!;
    }
    if (emitted.has(next)) continue;
    emitted.add(next);
    order.push(found.get(next)!.expiry);
    for (const after of mustFollow.get(next) ?? []) {
      const remaining = waitingOn.get(after)! - 1;
      waitingOn.set(after, remaining);
      if (remaining === 0 && !emitted.has(after)) ready.push(after);
    }
  }
  return order;
}

/** A small binary heap, so ordering a repository of many manifests stays O(n log n). */
class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#compare(items[i]!, items[parent]!) >= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.#compare(items[left]!, items[smallest]!) < 0) smallest = left;
        if (right < items.length && this.#compare(items[right]!, items[smallest]!) < 0) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
