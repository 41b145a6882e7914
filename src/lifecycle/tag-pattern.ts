// The tag matching of lifecycle rules. ECR's tagPatternList takes '*' as the only
// wildcard (any run of characters, the empty one included; everything else is
// literal, case-sensitive) and tagPrefixList is a plain prefix. Several entries in
// one list are combined with AND: each must match SOME tag of the image, not
// necessarily the same one (ECR's "Filtering on multiple tags in a single rule").

import { matchesStarPattern } from '../model/star-pattern.ts';

export const TAG_PATTERN_WILDCARD = '*';

/** How many '*' a pattern holds (ECR allows at most 4 per pattern). */
export function wildcardCount(pattern: string): number {
  let count = 0;
  for (const ch of pattern) if (ch === TAG_PATTERN_WILDCARD) count++;
  return count;
}

/** Whether a tag matches a '*'-wildcard pattern. */
export function tagMatchesPattern(tag: string, pattern: string): boolean {
  return matchesStarPattern(pattern, tag);
}

/** Every pattern matches at least one of the tags (AND across patterns). */
export function tagsMatchAllPatterns(tags: readonly string[], patterns: readonly string[]): boolean {
  return patterns.every((pattern) => tags.some((tag) => tagMatchesPattern(tag, pattern)));
}

/** Every prefix begins at least one of the tags (AND across prefixes). */
export function tagsMatchAllPrefixes(tags: readonly string[], prefixes: readonly string[]): boolean {
  return prefixes.every((prefix) => tags.some((tag) => tag.startsWith(prefix)));
}
