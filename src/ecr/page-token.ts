// nextToken values for the image operations: opaque to clients, they hold the position
// the next page starts after (a digest, or a digest and a tag), as base64url JSON. A
// token this registry could not have issued is an InvalidParameterException, never a
// silently restarted listing.
import { isDigest, parseDigest } from '../model/digest.ts';
import { EcrError } from './ecr-context.ts';

export function encodePageToken(position: readonly string[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * The position a token holds, checked to be `arity` strings of which the first is a
 * digest; undefined for no token (absent or empty).
 */
export function decodePageToken(token: unknown, arity: number): readonly string[] | undefined {
  if (token === undefined || token === '') return undefined;
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  if (
    !Array.isArray(position) ||
    position.length !== arity ||
    !position.every((part) => typeof part === 'string') ||
    !isDigest(parseDigest(position[0] as string))
  ) {
    throw invalidToken();
  }
  return position as string[];
}

function invalidToken(): EcrError {
  return new EcrError('InvalidParameterException', `Invalid parameter at 'nextToken' failed to satisfy constraint: 'must be a nextToken from a previous response to the same operation'`);
}
