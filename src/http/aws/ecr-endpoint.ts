// One authenticated ECR request: target and input checked against the model's
// constraints, the action authorized for each resource it touches, then the
// operation; ECR exceptions go out in AWS JSON 1.1 shape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { IdentityLookup } from '../../auth/identity-lookup.ts';
import { requestTagContext, resourceTagContext, type Authorizer } from '../../auth/authorizer.ts';
import type { Principal } from '../../auth/principal.ts';
import { EcrError } from '../../ecr/ecr-context.ts';
import { ECR_HANDLERS } from '../../ecr/ecr-operations.ts';
import { parseRepositoryArn } from '../../ecr/repository-arn.ts';
import type { MetadataStore } from '../../storage/meta/metadata-store.ts';
import type { Registry } from '../../registry/registry.ts';
import { ERROR_CATALOG } from '../../errors/catalog.ts';
import { isRegistryError } from '../../errors/registry-error.ts';
import { ecrOperation, ecrResourceArns } from './ecr-operations.ts';
import { validateEcrInput } from './ecr-validation.ts';
import { awsJsonError, parseAwsJsonHeaders, parseJsonObject, writeAwsJsonError, writeAwsJsonResponse } from './json-protocol.ts';

export interface EcrEndpointOptions {
  readonly metadata: MetadataStore;
  readonly registry: Registry;
  readonly serverKey: Buffer;
  readonly authorizer: Authorizer;
  readonly identities: IdentityLookup;
  readonly accountId: string;
  readonly region: string;
  readonly log: Logger;
}

export async function answerEcr(options: EcrEndpointOptions, req: IncomingMessage, res: ServerResponse, requestId: string, body: Buffer, principal: Principal): Promise<void> {
  const target = parseAwsJsonHeaders(req.method, '/', req.headers);
  if (!target.ok) return writeAwsJsonError(res, requestId, target.error);
  const operation = ecrOperation(target.operation);
  const handler = ECR_HANDLERS.get(target.operation);
  if (!operation || !handler) {
    return writeAwsJsonError(res, requestId, awsJsonError('UnsupportedOperationException', `Berth does not implement ${target.operation} yet`));
  }
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return writeAwsJsonError(res, requestId, parsed.error);
  const validated = validateEcrInput(target.operation, parsed.value);
  if (!validated.ok) return writeAwsJsonError(res, requestId, validated.error);

  const secure = req.socket instanceof TLSSocket;
  const resources = ecrResourceArns(operation, validated.input, { accountId: options.accountId, region: options.region });
  const repository = await repositoryAddressed(options, validated.input);
  const registryPolicy = await options.metadata.registry.getPolicy(options.accountId);
  const input = validated.input;
  const denied = await options.authorizer.firstDenied(principal, {
    action: operation.action,
    resources,
    resourceAccountId: resourceAccount(target.operation, input, principal, options.accountId),
    repositoryPolicy: repository?.policy,
    registryPolicy,
    sourceIp: req.socket.remoteAddress ?? '',
    secureTransport: secure,
    now: new Date(),
    context: {
      ...resourceTagContext(repository?.tags),
      ...requestTagContext(input['tags'] as Array<{ Key: string; Value: string }> | undefined, input['tagKeys'] as string[] | undefined),
    },
  });
  if (denied) {
    const because = denied.decision.decision === 'ExplicitDeny' ? 'with an explicit deny in a policy' : 'because no identity-based policy allows the action';
    return writeAwsJsonError(
      res,
      requestId,
      awsJsonError('AccessDeniedException', `User: ${principal.arn} is not authorized to perform: ${operation.action} on resource: ${denied.resource} ${because}`),
    );
  }

  try {
    const output = await handler(
      {
        metadata: options.metadata,
        registry: options.registry,
        principal,
        accountId: options.accountId,
        region: options.region,
        registryHost: req.headers.host ?? '127.0.0.1',
        scheme: secure ? 'https' : 'http',
        serverKey: options.serverKey,
        now: () => new Date(),
      },
      validated.input,
    );
    writeAwsJsonResponse(res, requestId, output);
  } catch (error) {
    if (error instanceof EcrError) return writeAwsJsonError(res, requestId, awsJsonError(error.code, error.message));
    // Domain errors from the shared registry use cases carry their ECR name in the catalogue.
    if (isRegistryError(error)) return writeAwsJsonError(res, requestId, awsJsonError(ERROR_CATALOG[error.code].ecr, error.message));
    options.log.error({ reqId: requestId, err: error, operation: target.operation }, 'ECR operation failed');
    writeAwsJsonError(res, requestId, awsJsonError('ServerException', 'internal error'));
  }
}

/** The one repository an operation is about (by name or by ARN), when it names one that exists. */
async function repositoryAddressed(options: EcrEndpointOptions, input: Readonly<Record<string, unknown>>) {
  const byName = input['repositoryName'];
  if (typeof byName === 'string') return options.metadata.repositories.get(byName);
  const arn = input['resourceArn'];
  const parts = typeof arn === 'string' ? parseRepositoryArn(arn) : undefined;
  if (!parts || parts.accountId !== options.accountId || parts.region !== options.region) return undefined;
  return options.metadata.repositories.get(parts.name);
}

/**
 * The account whose resources the operation acts on: the registry it names, else the
 * registry served here. GetAuthorizationToken is the exception: it is about the caller,
 * so the caller's own account decides it.
 */
function resourceAccount(operation: string, input: Readonly<Record<string, unknown>>, principal: Principal, servedAccount: string): string {
  if (operation === 'GetAuthorizationToken') return principal.accountId;
  return typeof input['registryId'] === 'string' ? input['registryId'] : servedAccount;
}
