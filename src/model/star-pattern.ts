// ECR's filter patterns (lifecycle tagPatternList, tag-mutability exclusion filters,
// scanning WILDCARD filters): '*' matches any run of characters, the empty one
// included; everything else is literal and case-sensitive; the whole text must match.

/**
 * Whether `text` matches `pattern`. Greedy segment matching: the first segment anchors
 * at the start, the last at the end, the middle ones are found left to right, each
 * after the previous (the leftmost placement is always best when '*' is the only
 * wildcard, so nothing backtracks and no regular expression is built per call).
 */
export function matchesStarPattern(pattern: string, text: string): boolean {
  const segments = pattern.split('*');
  if (segments.length === 1) return text === pattern;
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (text.length < first.length + last.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  let cursor = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    if (segment === '') continue;
    const at = text.indexOf(segment, cursor);
    if (at < 0 || at + segment.length > end) return false;
    cursor = at + segment.length;
  }
  return true;
}
