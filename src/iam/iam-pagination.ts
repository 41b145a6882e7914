// IAM's paging: a request names MaxItems (1..1000, default 100) and the Marker of the
// previous page; an answer says IsTruncated and, only when it is, the Marker to go on
// from. Our markers are opaque to clients: base64url of the listing they belong to and
// the position of the last item returned, so that a page continues after that item
// even when items were added or removed in between. A marker that does not decode, or
// that another listing issued, is IAM's ValidationError "Invalid Marker.".
import { validationError } from './iam-errors.ts';
import { IamInput, MARKER, MAX_ITEMS } from './iam-input.ts';

export const DEFAULT_MAX_ITEMS = 100;

/** The listings that issue markers; a marker only works for the listing that issued it. */
export type MarkerListing = 'users' | 'access-keys' | 'user-policies';

export interface PageRequest {
  readonly marker?: string | undefined;
  readonly maxItems?: number | undefined;
}

export interface IamPage<T> {
  readonly items: readonly T[];
  readonly isTruncated: boolean;
  /** Present exactly when isTruncated. */
  readonly marker?: string;
}

/** Where a validated page request starts and how many items it wants. */
export interface PageWindow {
  /** Position of the last item already returned, when continuing. */
  readonly after?: string;
  readonly limit: number;
}

/** Reports a bad MaxItems or a Marker outside the model's constraints into `input`. */
export function checkPageRequest(request: PageRequest, input: IamInput): void {
  input.optional('marker', request.marker, MARKER);
  input.optionalInteger('maxItems', request.maxItems, MAX_ITEMS);
}

/** The window of a checked page request; a marker another listing issued is refused here. */
export function pageWindow(listing: MarkerListing, request: PageRequest): PageWindow {
  const limit = request.maxItems ?? DEFAULT_MAX_ITEMS;
  return request.marker === undefined ? { limit } : { limit, after: decodeMarker(listing, request.marker) };
}

export function encodeMarker(listing: MarkerListing, position: string): string {
  return Buffer.from(JSON.stringify([listing, position]), 'utf8').toString('base64url');
}

export function decodeMarker(listing: MarkerListing, marker: string): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  // base64url decoding skips characters outside its alphabet: insist on the canonical text.
  const valid = Array.isArray(decoded) && decoded.length === 2 && decoded[0] === listing && typeof decoded[1] === 'string' && encodeMarker(listing, decoded[1]) === marker;
  if (!valid) throw validationError('Invalid Marker.');
  return (decoded as [string, string])[1];
}

/**
 * One page of `found` — the items after the window's position, in order, with at least
 * one more than the limit when there are more — and the marker of its last item.
 */
export function toPage<T>(listing: MarkerListing, found: readonly T[], limit: number, position: (item: T) => string): IamPage<T> {
  if (found.length <= limit) return { items: found, isTruncated: false };
  const items = found.slice(0, limit);
  return { items, isTruncated: true, marker: encodeMarker(listing, position(items[items.length - 1]!)) };
}

/** A page of a list the caller holds whole (a user's access keys or policy names), ordered by position. */
export function pageOfList<T>(listing: MarkerListing, all: readonly T[], window: PageWindow, position: (item: T) => string): IamPage<T> {
  const ordered = [...all].sort((a, b) => compare(position(a), position(b)));
  const after = window.after;
  const rest = after === undefined ? ordered : ordered.filter((item) => compare(position(item), after) > 0);
  return toPage(listing, rest.slice(0, window.limit + 1), window.limit, position);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
