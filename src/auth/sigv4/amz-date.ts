// Dates as SigV4 writes them: ISO 8601 basic (20261122T120000Z) in X-Amz-Date and the
// credential scope (20261122), or an HTTP date (IMF-fixdate) in the Date header.

const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC rolls 31 February over into March; a real calendar date survives the round trip.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return ms;
}

/** Milliseconds since the epoch for `20261122T120000Z`, or undefined when malformed. */
export function parseAmzDate(value: string): number | undefined {
  const m = ISO_BASIC.exec(value);
  if (!m) return undefined;
  return utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Milliseconds since the epoch for `Sun, 22 Nov 2026 12:00:00 GMT`, or undefined. */
export function parseHttpDate(value: string): number | undefined {
  const m = IMF_FIXDATE.exec(value);
  if (!m) return undefined;
  // The weekday is not checked: AWS's own 2011 test suite dates a Friday "Mon".
  return utc(Number(m[4]), MONTHS.indexOf(m[3] as string) + 1, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
}

/** `20261122T120000Z` for a time in milliseconds (sub-second part dropped). */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
