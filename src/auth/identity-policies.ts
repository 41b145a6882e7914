// Authorizes a principal's request against its identity policies, the repository's
// policy and the registry policy. Stored documents were validated when they were put;
// one that no longer parses grants nothing.
import type { IdentityStore } from '../storage/meta/identity-store.ts';
import { evaluate, type Decision } from './policy/evaluate.ts';
import { parsePolicyDocument, type ParsedPolicy } from './policy/policy-document.ts';
import type { Principal } from './principal.ts';

export interface AccessRequest {
  readonly action: string;
  readonly resources: readonly string[];
  /** The repository policy of the repository the request is about, as stored. */
  readonly repositoryPolicy?: string;
  /** The registry policy of the account, as stored. */
  readonly registryPolicy?: string;
  readonly sourceIp: string;
  readonly secureTransport: boolean;
  readonly now: Date;
}

function parseStored(document: string | undefined, name: string): ParsedPolicy | undefined {
  if (document === undefined) return undefined;
  try {
    return parsePolicyDocument(document, { kind: 'resource', name });
  } catch {
    return undefined; // grants nothing
  }
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
  const repositoryPolicy = parseStored(request.repositoryPolicy, 'repository policy');
  const registryPolicy = parseStored(request.registryPolicy, 'registry policy');
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
      {
        identity,
        ...(repositoryPolicy ? { resource: repositoryPolicy } : {}),
        ...(registryPolicy ? { registry: registryPolicy } : {}),
        resourceAccountId: principal.accountId,
      },
    );
    if (decision.decision !== 'Allow') return { resource, decision };
  }
  return undefined;
}
