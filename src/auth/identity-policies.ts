// Authorizes a principal's request against its identity policies (repository and
// registry policies join when they are wired in). Stored documents were validated
// when they were put; one that no longer parses grants nothing.
import type { IdentityStore } from '../storage/meta/identity-store.ts';
import { evaluate, type Decision } from './policy/evaluate.ts';
import { parsePolicyDocument, type ParsedPolicy } from './policy/policy-document.ts';
import type { Principal } from './principal.ts';

export interface AccessRequest {
  readonly action: string;
  readonly resources: readonly string[];
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  readonly now: Date;
}

/** The first resource that is not allowed, with the decision; undefined when all are. */
export async function firstDenied(
  identities: IdentityStore,
  principal: Principal,
  request: AccessRequest,
): Promise<{ resource: string; decision: Decision } | undefined> {
  const identity: ParsedPolicy[] = [];
  for (const name of await identities.listUserPolicies(principal.accountId, principal.userName)) {
    const stored = await identities.getUserPolicy(principal.accountId, principal.userName, name);
    if (!stored) continue;
    try {
      identity.push(parsePolicyDocument(stored.document, { kind: 'identity', name }));
    } catch {
      // grants nothing
    }
  }
  for (const resource of request.resources) {
    const decision = evaluate(
      {
        principal: { accountId: principal.accountId, arn: principal.arn, username: principal.userName },
        action: request.action,
        resource,
        context: {
          'aws:SourceIp': request.sourceIp,
          'aws:SecureTransport': request.secureTransport,
          'aws:CurrentTime': request.now.toISOString(),
          'aws:username': principal.userName,
        },
      },
      { identity, resourceAccountId: principal.accountId },
    );
    if (decision.decision !== 'Allow') return { resource, decision };
  }
  return undefined;
}
