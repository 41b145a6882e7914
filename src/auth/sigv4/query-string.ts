// The raw query string, decoded into the parameter bag the SDK signer canonicalises
// (it re-encodes every key and value itself, RFC 3986 style).

import { failed, parsed } from './errors.ts';
import type { Parsed } from './errors.ts';

export const QUERY_LIMITS = {
  maxLength: 16 * 1024,
  maxParams: 256,
} as const;

export type QueryBag = Readonly<Record<string, string | string[]>>;

export interface ParsedQuery {
  readonly bag: QueryBag;
  /** Every value of each key, in order of appearance. */
  readonly all: ReadonlyMap<string, readonly string[]>;
}

const MALFORMED = 'The AWS query string is malformed or does not adhere to AWS standards.';

function decode(component: string): string | undefined {
  try {
    // '+' is a space in form encoding (Go's url.Values writes it); a literal plus arrives as %2B.
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export function parseQuery(raw: string): Parsed<ParsedQuery> {
  const text = raw.startsWith('?') ? raw.slice(1) : raw;
  if (text.length > QUERY_LIMITS.maxLength) return failed('incomplete', MALFORMED);
  const all = new Map<string, string[]>();
  let count = 0;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    if (++count > QUERY_LIMITS.maxParams) return failed('incomplete', MALFORMED);
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    // A key without '=' canonicalises as "key=" (the SDK drops null values, AWS does not).
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (key === undefined || value === undefined || key === '') return failed('incomplete', MALFORMED);
    const values = all.get(key);
    if (values) values.push(value);
    else all.set(key, [value]);
  }
  const bag = Object.fromEntries([...all].map(([key, values]) => [key, values.length === 1 ? (values[0] as string) : [...values]]));
  return parsed({ bag, all });
}
