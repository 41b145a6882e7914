// The SignedHeaders list (`content-type;host;x-amz-date`): lowercase header names, sorted,
// separated by ';'. Every SDK writes it that way and the canonical request depends on it.

import { failed, parsed } from './errors.ts';
import type { Parsed } from './errors.ts';

export const SIGNED_HEADERS_LIMITS = {
  maxLength: 2048,
  maxCount: 64,
} as const;

// RFC 9110 token characters, lowercase only.
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

export function parseSignedHeaders(value: string): Parsed<readonly string[]> {
  if (value.length === 0) return failed('incomplete', 'SignedHeaders must name at least one header.');
  if (value.length > SIGNED_HEADERS_LIMITS.maxLength) {
    return failed('incomplete', `SignedHeaders is longer than ${SIGNED_HEADERS_LIMITS.maxLength} characters.`);
  }
  const names = value.split(';');
  if (names.length > SIGNED_HEADERS_LIMITS.maxCount) {
    return failed('incomplete', `SignedHeaders names more than ${SIGNED_HEADERS_LIMITS.maxCount} headers.`);
  }
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (!HEADER_NAME.test(name)) return failed('incomplete', 'SignedHeaders must be lowercase header names separated by \';\'.');
    if (i > 0 && (names[i - 1] as string) >= name) {
      return failed('incomplete', 'SignedHeaders must be sorted and must not repeat a header.');
    }
  }
  return parsed(names);
}

/**
 * The request's value for a header as the canonical request takes it: repeated headers (an
 * array, as from `headersDistinct`) are trimmed and joined by ','.
 */
export function headerValue(headers: Readonly<Record<string, string | readonly string[] | undefined>>, name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.map((v) => v.trim()).join(',');
}
