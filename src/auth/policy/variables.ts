// Policy variables (${aws:username}, ${aws:PrincipalTag/team, 'none'}, and the
// escapes ${*} ${?} ${$}) and the request context they read from. Variables are
// substituted only in Version 2012-10-17 documents; in 2008-10-17 the text is
// taken literally, as AWS does.
import type { PolicyVersion } from './policy-types.ts';

export type ContextValue = string | readonly string[] | boolean | undefined;

/** Request context with keys lower-cased (context key names are case-insensitive). */
export type NormalizedContext = ReadonlyMap<string, string | readonly string[]>;

/**
 * A piece of a policy string. `literal` pieces came from a variable or an escape,
 * so * and ? in them match themselves; other pieces keep their wildcards.
 */
export interface Segment {
  readonly text: string;
  readonly literal: boolean;
}

const TAG_ALIASES: ReadonlyArray<readonly [string, string]> = [
  ['ecr:resourcetag/', 'aws:resourcetag/'],
  ['aws:resourcetag/', 'ecr:resourcetag/'],
];

export function normalizeContext(context: Readonly<Record<string, ContextValue>>): Map<string, string | readonly string[]> {
  const map = new Map<string, string | readonly string[]>();
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) continue;
    map.set(key.toLowerCase(), typeof value === 'boolean' ? String(value) : value);
  }
  return map;
}

/**
 * The values of a context key, or undefined when the request has no such key.
 * ECR answers both aws:ResourceTag/<k> and ecr:ResourceTag/<k> from a
 * repository's tags, so each is looked up under the other name when absent.
 */
export function contextValues(context: NormalizedContext, key: string): readonly string[] | undefined {
  const lower = key.toLowerCase();
  let value = context.get(lower);
  if (value === undefined) {
    for (const [from, to] of TAG_ALIASES) {
      if (lower.startsWith(from)) value = context.get(to + lower.slice(from.length));
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const WITH_DEFAULT = /^([^,]+?)\s*,\s*'((?:[^']|'')*)'$/;

/** True when the text has something that looks like a policy variable. */
export function hasVariable(text: string): boolean {
  return text.includes('${');
}

/**
 * Splits a policy string into segments with its variables replaced from the
 * context. Returns null when a variable has no single value in the request and
 * no default: the string then matches nothing ("policy variables with no value").
 */
export function expandVariables(text: string, version: PolicyVersion, context: NormalizedContext): Segment[] | null {
  if (version !== '2012-10-17' || !hasVariable(text)) return [{ text, literal: false }];
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    if (match.index > last) segments.push({ text: text.slice(last, match.index), literal: false });
    last = match.index + match[0].length;
    const body = match[1]!.trim();
    if (body === '*' || body === '?' || body === '$') {
      segments.push({ text: body, literal: true });
      continue;
    }
    const withDefault = WITH_DEFAULT.exec(body);
    const key = withDefault ? withDefault[1]! : body;
    const values = contextValues(context, key);
    if (values && values.length === 1) {
      segments.push({ text: values[0]!, literal: true });
    } else if (withDefault) {
      segments.push({ text: withDefault[2]!.replaceAll("''", "'"), literal: true });
    } else {
      return null;
    }
  }
  if (last < text.length) segments.push({ text: text.slice(last), literal: false });
  return segments;
}

export function joinSegments(segments: readonly Segment[]): string {
  return segments.map((s) => s.text).join('');
}
