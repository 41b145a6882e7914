// The tag matching of lifecycle rules. ECR's tagPatternList takes '*' as the only
// wildcard (any run of characters, the empty one included; everything else is
// literal, case-sensitive) and tagPrefixList is a plain prefix. Several entries in
// one list are combined with AND: each must match SOME tag of the image, not
// necessarily the same one (ECR's "Filtering on multiple tags in a single rule").

export const TAG_PATTERN_WILDCARD = '*';

/** How many '*' a pattern holds (ECR allows at most 4 per pattern). */
export function wildcardCount(pattern: string): number {
  let count = 0;
  for (const ch of pattern) if (ch === TAG_PATTERN_WILDCARD) count++;
  return count;
}

/**
 * Whether a tag matches a '*'-wildcard pattern. Greedy segment matching: the
 * first segment anchors at the start, the last at the end, the middle ones are
 * found left to right, each after the previous (leftmost placement is optimal
 * for '*', so no backtracking is needed).
 */
export function tagMatchesPattern(tag: string, pattern: string): boolean {
  const segments = pattern.split(TAG_PATTERN_WILDCARD);
  if (segments.length === 1) return tag === pattern;
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (tag.length < first.length + last.length) return false;
  if (!tag.startsWith(first) || !tag.endsWith(last)) return false;
  let cursor = first.length;
  const end = tag.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    if (segment === '') continue;
    const at = tag.indexOf(segment, cursor);
    if (at < 0 || at + segment.length > end) return false;
    cursor = at + segment.length;
  }
  return true;
}

/** Every pattern matches at least one of the tags (AND across patterns). */
export function tagsMatchAllPatterns(tags: readonly string[], patterns: readonly string[]): boolean {
  return patterns.every((pattern) => tags.some((tag) => tagMatchesPattern(tag, pattern)));
}

/** Every prefix begins at least one of the tags (AND across prefixes). */
export function tagsMatchAllPrefixes(tags: readonly string[], prefixes: readonly string[]): boolean {
  return prefixes.every((prefix) => tags.some((tag) => tag.startsWith(prefix)));
}
