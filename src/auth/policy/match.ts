// Matching of the Action, Resource and Principal elements against a request.
// Actions compare case-insensitively, resources case-sensitively; both take
// the * and ? wildcards.
import type { PolicyVersion, PrincipalSpec } from './policy-types.ts';
import { expandVariables, type NormalizedContext, type Segment } from './variables.ts';

export interface RequestPrincipal {
  /** Account the caller belongs to (12 digits). */
  readonly accountId: string;
  /** Caller ARN: arn:aws:iam::<acct>:user/<name>, ...:root, arn:aws:sts::<acct>:assumed-role/<role>/<session>. */
  readonly arn: string;
  readonly username?: string;
  /** The account root user (in Berth: that account's registry administrator). */
  readonly isRoot?: boolean;
  /** Set when the caller is an AWS service principal such as "replication.ecr.amazonaws.com". */
  readonly service?: string;
  /**
   * A request without credentials (an anonymous pull). It belongs to no account and
   * has no identity policies: only a resource policy granting "*" can allow it.
   */
  readonly anonymous?: boolean;
}

export interface GlobOptions {
  /** ARN mode: in the first five colon-separated components a wildcard does not cross ':'. */
  readonly arn?: boolean;
  readonly ignoreCase?: boolean;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIAL, '\\$&');
}

/**
 * Compiles policy text into an anchored regular expression. In ARN mode, a
 * pattern with all six ARN components is matched component by component (the
 * last, the resource, may contain ':' and '/' that wildcards cross); a shorter
 * pattern such as "arn:aws:ecr:*" is a plain wildcard over the whole string.
 */
export function compileGlob(segments: readonly Segment[], options: GlobOptions = {}): RegExp {
  const colons = segments.reduce((n, s) => n + (s.text.split(':').length - 1), 0);
  const perComponent = options.arn === true && colons >= 5;
  let component = 0;
  let source = '';
  for (const segment of segments) {
    for (const ch of segment.text) {
      const inPrefix = perComponent && component < 5;
      if (!segment.literal && ch === '*') source += inPrefix ? '[^:]*' : '[\\s\\S]*';
      else if (!segment.literal && ch === '?') source += inPrefix ? '[^:]' : '[\\s\\S]';
      else source += escapeRegex(ch);
      if (ch === ':') component++;
    }
  }
  return new RegExp(`^${source}$`, options.ignoreCase ? 'iu' : 'u');
}

export function wildcardMatch(pattern: string, value: string, options: GlobOptions = {}): boolean {
  return compileGlob([{ text: pattern, literal: false }], options).test(value);
}

/** Action names compare case-insensitively ("ecr:batchgetimage" is ecr:BatchGetImage). */
export function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => wildcardMatch(p, action, { ignoreCase: true }));
}

/** Resource ARNs compare case-sensitively, with policy variables substituted. */
export function resourceMatches(patterns: readonly string[], resource: string, version: PolicyVersion, context: NormalizedContext): boolean {
  return patterns.some((pattern) => {
    if (pattern === '*') return true;
    const segments = expandVariables(pattern, version, context);
    return segments !== null && compileGlob(segments, { arn: true }).test(resource);
  });
}

/** How a Principal entry matched: naming the caller, everyone, or the caller's whole account. */
export type PrincipalMatch = 'specific' | 'wildcard' | 'account' | null;

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

function awsEntryMatch(entry: string, principal: RequestPrincipal): PrincipalMatch {
  const root = ROOT.exec(entry);
  if (root) return root[1] === principal.accountId ? 'account' : null;
  if (entry === principal.arn) return 'specific';
  // A role named in a policy covers the sessions of that role.
  const session = ASSUMED_ROLE.exec(principal.arn);
  const role = ROLE.exec(entry);
  if (session && role && session[1] === role[1] && session[2] === role[2] && session[3] === role[3]) return 'specific';
  return null;
}

/** The strongest way any entry of the element names the caller, or null. */
export function principalMatch(spec: PrincipalSpec, principal: RequestPrincipal): PrincipalMatch {
  if (spec.everyone) return 'wildcard';
  if (principal.service !== undefined) {
    const service = principal.service.toLowerCase();
    return spec.service.some((s) => s.toLowerCase() === service) ? 'specific' : null;
  }
  let best: PrincipalMatch = spec.anyAws ? 'wildcard' : null;
  for (const entry of spec.aws) {
    const match = awsEntryMatch(entry, principal);
    if (match === 'specific') return 'specific';
    if (match === 'account' && best === null) best = 'account';
  }
  return best;
}

/**
 * Whether a NotPrincipal element exempts the caller. AWS checks the caller's
 * account and then the caller itself (for a role session: the role or the
 * session), so both must be listed; a user ARN without its account ARN leaves
 * the user denied, as the NotPrincipal documentation warns.
 */
export function notPrincipalExempts(spec: PrincipalSpec, principal: RequestPrincipal): boolean {
  if (spec.everyone) return true;
  if (principal.service !== undefined) return principalMatch(spec, principal) !== null;
  if (spec.anyAws) return true;
  const accountListed = spec.aws.some((entry) => awsEntryMatch(entry, principal) === 'account');
  if (!accountListed) return false;
  if (principal.isRoot || ROOT.test(principal.arn)) return true;
  return spec.aws.some((entry) => awsEntryMatch(entry, principal) === 'specific');
}
