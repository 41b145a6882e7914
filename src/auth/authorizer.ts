// Authorizes one request against the caller's identity policies, the repository's
// policy and the registry policy — the same decision for ECR operations, IAM
// actions and /v2/ routes. Stored resource policies were validated when they were
// put; one that no longer parses grants nothing.
import { evaluate, type ContextValue, type Decision, type RequestPrincipal } from './policy/evaluate.ts';
import { parsePolicyDocument, type ParsedPolicy } from './policy/policy-document.ts';
import type { IdentityLookup } from './identity-lookup.ts';
import type { Principal } from './principal.ts';
import { TtlCache } from '../util/ttl-cache.ts';

export interface AccessRequest {
  readonly action: string;
  readonly resources: readonly string[];
  /** The account that owns the resources (the registry id); the caller may belong to another. */
  readonly resourceAccountId: string;
  /** The repository policy of the repository the request is about, as stored. */
  readonly repositoryPolicy?: string | undefined;
  /** The registry policy of the resource account, as stored. */
  readonly registryPolicy?: string | undefined;
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  readonly now: Date;
  /** Request-specific condition keys: aws:ResourceTag/…, aws:RequestTag/…, aws:TagKeys. */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

export interface Denial {
  readonly resource: string;
  readonly decision: Decision;
}

/** A caller without credentials. */
export const ANONYMOUS = 'anonymous';
export type Caller = Principal | typeof ANONYMOUS;

export interface Verdict {
  /** The first resource the caller may not act on; undefined when all are allowed. */
  readonly denied?: Denial;
  /**
   * Whether some policy that was consulted has a Condition: then the same caller, action
   * and resource may be decided otherwise by another request (its source IP, the time…).
   */
  readonly conditional: boolean;
}

export interface Authorizer {
  decide(caller: Caller, request: AccessRequest): Promise<Verdict>;
  /** The first resource the caller may not act on, with the decision; undefined when all are allowed. */
  firstDenied(caller: Caller, request: AccessRequest): Promise<Denial | undefined>;
}

/** Condition keys ECR sets from a repository's tags. */
export function resourceTagContext(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) context[`aws:ResourceTag/${key}`] = value;
  return context;
}

/** Condition keys for the tags a request sets (CreateRepository, TagResource) or names (UntagResource). */
export function requestTagContext(tags: ReadonlyArray<{ Key: string; Value: string }> | undefined, tagKeys?: readonly string[]): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const { Key, Value } of tags ?? []) context[`aws:RequestTag/${Key}`] = Value;
  const keys = tagKeys ?? tags?.map((tag) => tag.Key);
  if (keys !== undefined) context['aws:TagKeys'] = keys;
  return context;
}

export function createAuthorizer(identities: IdentityLookup): Authorizer {
  // Parsed resource policies by their text: the same few documents come back on every request.
  const parsed = new TtlCache<string, ParsedPolicy | null>({ ttlMs: 10 * 60_000, maxEntries: 512 });
  const resourcePolicy = (document: string | undefined, name: string): ParsedPolicy | undefined => {
    if (document === undefined) return undefined;
    const key = `${name}\n${document}`;
    let policy = parsed.get(key);
    if (policy === undefined) {
      try {
        policy = parsePolicyDocument(document, { kind: 'resource', name });
      } catch {
        policy = null; // grants nothing
      }
      parsed.set(key, policy);
    }
    return policy ?? undefined;
  };

  const decide = async (caller: Caller, request: AccessRequest): Promise<Verdict> => {
    const anonymous = caller === ANONYMOUS;
    const principal: RequestPrincipal = anonymous
      ? { accountId: '', arn: ANONYMOUS, anonymous: true }
      : { accountId: caller.accountId, arn: caller.arn, username: caller.userName };
    const identity = anonymous ? [] : await identities.userPolicies(caller.accountId, caller.userName);
    const repository = resourcePolicy(request.repositoryPolicy, 'repository policy');
    const registry = resourcePolicy(request.registryPolicy, 'registry policy');
    const conditional = [...identity, repository, registry].some((policy) => policy?.statements.some((statement) => statement.conditions.length > 0));
    const context: Record<string, ContextValue> = {
      ...request.context,
      'aws:SourceIp': request.sourceIp,
      'aws:SecureTransport': request.secureTransport,
      'aws:CurrentTime': request.now.toISOString(),
      'aws:EpochTime': String(Math.floor(request.now.getTime() / 1000)),
    };
    for (const resource of request.resources) {
      const decision = evaluate(
        { principal, action: request.action, resource, context },
        {
          identity,
          ...(repository ? { resource: repository } : {}),
          ...(registry ? { registry } : {}),
          resourceAccountId: request.resourceAccountId,
        },
      );
      if (decision.decision !== 'Allow') return { denied: { resource, decision }, conditional };
    }
    return { conditional };
  };

  return {
    decide,
    async firstDenied(caller, request) {
      return (await decide(caller, request)).denied;
    },
  };
}
