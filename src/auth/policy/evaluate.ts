// The IAM policy evaluator: one request against the identity policies of the
// caller and the resource policies (repository policy, registry policy) of the
// resource, following AWS's documented evaluation logic:
//
// 1. An explicit Deny in any applicable statement wins.
// 2. The resource account's root user (Berth's registry administrator) is allowed.
// 3. Same account: an Allow in an identity policy, or in a resource policy that
//    names the caller (its ARN, its role, or "*"), allows. A resource policy that
//    names only the caller's account delegates to identity policies.
// 4. Cross-account: both an identity policy of the caller's account (the root user
//    of that account counts as allowed there) and a resource policy must allow.
// 5. Anonymous callers (no credentials) and service principals have no identity
//    policies: a resource policy statement that names them ("*" for anonymous) must allow.
// 6. Otherwise the request is implicitly denied.
//
// The repository and registry policies together form the resource side: an
// Allow in either satisfies it, a Deny in either denies.
import type { ParsedPolicy, PolicyStatement } from './policy-types.ts';
import { conditionsHold } from './conditions.ts';
import { actionMatches, notPrincipalExempts, principalMatch, resourceMatches, type PrincipalMatch, type RequestPrincipal } from './match.ts';
import { normalizeContext, type ContextValue, type NormalizedContext } from './variables.ts';

export type { RequestPrincipal } from './match.ts';
export type { ContextValue } from './variables.ts';

export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  /** e.g. "ecr:BatchGetImage". */
  readonly action: string;
  /** e.g. "arn:aws:ecr:us-east-1:123456789012:repository/team/app", or "*" for actions without a resource. */
  readonly resource: string;
  /** Condition keys (aws:SourceIp, aws:SecureTransport, aws:CurrentTime, aws:ResourceTag/k, aws:TagKeys, ...). */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export interface PolicySet {
  /** Identity policies of the caller (user, group and role policies). */
  readonly identity: readonly ParsedPolicy[];
  /** The repository policy. */
  readonly resource?: ParsedPolicy;
  /** The registry policy of the resource's registry. */
  readonly registry?: ParsedPolicy;
  /** Account that owns the resource (the registry id). */
  readonly resourceAccountId: string;
}

export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface MatchedStatement {
  readonly policy: string;
  readonly sid?: string;
  /** Position of the statement in the policy's Statement list. */
  readonly index: number;
}

export interface Decision {
  readonly decision: DecisionKind;
  /** The Deny that decided, or the Allow that granted. */
  readonly matchedStatement?: MatchedStatement;
  /** One sentence explaining the decision, for logs and error messages. */
  readonly reason: string;
}

interface Hit {
  readonly policy: ParsedPolicy;
  readonly statement: PolicyStatement;
  readonly principal: PrincipalMatch;
}

/** Keys AWS derives from the caller, unless the request context sets them itself. */
function buildContext(request: AuthorizationRequest): NormalizedContext {
  const { principal } = request;
  const derived: Record<string, ContextValue> = {
    'aws:PrincipalArn': principal.anonymous ? undefined : principal.arn,
    'aws:PrincipalAccount': principal.anonymous ? undefined : principal.accountId,
    'aws:PrincipalType': principal.anonymous ? 'Anonymous' : principal.isRoot ? 'Account' : principal.username !== undefined ? 'User' : undefined,
    'aws:username': principal.username,
  };
  const context = normalizeContext(derived);
  for (const [key, value] of normalizeContext(request.context ?? {})) context.set(key, value);
  return context;
}

function statementApplies(policy: ParsedPolicy, s: PolicyStatement, request: AuthorizationRequest, context: NormalizedContext): Hit | null {
  let principal: PrincipalMatch = 'specific'; // identity policies apply to the identity they are attached to
  if (s.principal) {
    principal = principalMatch(s.principal, request.principal);
    if (principal === null) return null;
  } else if (s.notPrincipal) {
    if (notPrincipalExempts(s.notPrincipal, request.principal)) return null;
    principal = 'wildcard';
  }
  if (s.action && !actionMatches(s.action, request.action)) return null;
  if (s.notAction && actionMatches(s.notAction, request.action)) return null;
  if (s.resource && !resourceMatches(s.resource, request.resource, policy.version, context)) return null;
  if (s.notResource && resourceMatches(s.notResource, request.resource, policy.version, context)) return null;
  if (!conditionsHold(s.conditions, policy.version, context)) return null;
  return { policy, statement: s, principal };
}

function hits(policies: readonly ParsedPolicy[], request: AuthorizationRequest, context: NormalizedContext): Hit[] {
  const out: Hit[] = [];
  for (const policy of policies) {
    for (const statement of policy.statements) {
      const hit = statementApplies(policy, statement, request, context);
      if (hit) out.push(hit);
    }
  }
  return out;
}

function matched(hit: Hit): MatchedStatement {
  const { policy, statement } = hit;
  return { policy: policy.name, index: statement.index, ...(statement.sid ? { sid: statement.sid } : {}) };
}

function describe(hit: Hit): string {
  return `statement ${hit.statement.sid ? `'${hit.statement.sid}'` : `#${hit.statement.index}`} of ${hit.policy.name}`;
}

export function evaluate(request: AuthorizationRequest, policies: PolicySet): Decision {
  const context = buildContext(request);
  const { principal } = request;
  const isService = principal.service !== undefined;
  const isAnonymous = principal.anonymous === true;
  // Service principals and anonymous callers carry no identity policies of their own.
  const identityHits = isService || isAnonymous ? [] : hits(policies.identity, request, context);
  const resourcePolicies = [policies.resource, policies.registry].filter((p): p is ParsedPolicy => p !== undefined);
  const resourceHits = hits(resourcePolicies, request, context);
  const what = `${request.action} on ${request.resource}`;

  const deny = [...identityHits, ...resourceHits].find((h) => h.statement.effect === 'Deny');
  if (deny) return { decision: 'ExplicitDeny', matchedStatement: matched(deny), reason: `${describe(deny)} explicitly denies ${what}` };

  const sameAccount = !isService && !isAnonymous && principal.accountId === policies.resourceAccountId;
  if (sameAccount && principal.isRoot) {
    return { decision: 'Allow', reason: `the root user of account ${principal.accountId} may do ${what} in its own account` };
  }

  const identityAllow = identityHits.find((h) => h.statement.effect === 'Allow');
  const resourceAllows = resourceHits.filter((h) => h.statement.effect === 'Allow');
  const directResourceAllow = resourceAllows.find((h) => h.principal !== 'account');
  const anyResourceAllow = directResourceAllow ?? resourceAllows[0];

  if (isService) {
    if (anyResourceAllow) return { decision: 'Allow', matchedStatement: matched(anyResourceAllow), reason: `${describe(anyResourceAllow)} allows ${what}` };
    return { decision: 'ImplicitDeny', reason: `no resource policy allows service ${principal.service} to do ${what}` };
  }
  if (isAnonymous) {
    // Only a statement naming everyone can match a caller that belongs to no account.
    if (anyResourceAllow) return { decision: 'Allow', matchedStatement: matched(anyResourceAllow), reason: `${describe(anyResourceAllow)} allows anonymous ${what}` };
    return { decision: 'ImplicitDeny', reason: `no resource policy allows anonymous callers to do ${what}` };
  }

  if (sameAccount) {
    const allow = identityAllow ?? directResourceAllow;
    if (allow) return { decision: 'Allow', matchedStatement: matched(allow), reason: `${describe(allow)} allows ${what}` };
    if (anyResourceAllow) {
      return {
        decision: 'ImplicitDeny',
        reason: `${describe(anyResourceAllow)} grants ${what} to account ${principal.accountId} only, and no identity policy allows it`,
      };
    }
    return { decision: 'ImplicitDeny', reason: `no policy allows ${what}` };
  }

  // Cross-account: the caller's account must allow it and the resource's policy must too.
  const identityAllowed = identityAllow !== undefined || principal.isRoot === true;
  if (identityAllowed && anyResourceAllow) {
    return { decision: 'Allow', matchedStatement: matched(anyResourceAllow), reason: `${describe(anyResourceAllow)} allows cross-account ${what}` };
  }
  if (identityAllowed) {
    return { decision: 'ImplicitDeny', reason: `cross-account ${what}: no resource policy of account ${policies.resourceAccountId} allows it` };
  }
  if (anyResourceAllow) {
    return { decision: 'ImplicitDeny', reason: `cross-account ${what}: ${describe(anyResourceAllow)} allows it, but no identity policy of account ${principal.accountId} does` };
  }
  return { decision: 'ImplicitDeny', reason: `no policy allows cross-account ${what}` };
}
