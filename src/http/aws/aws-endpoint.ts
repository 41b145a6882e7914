// The control plane's front door: `POST /` signed with SigV4 (or a presigned `GET /?…`
// for the Query protocol). The signature names the caller, and must be for the service
// the request is for; the caller's access key must be active. JSON requests go to the
// ECR operations (ecr-endpoint.ts); Query requests to IAM or STS GetCallerIdentity. What
// is not built yet gets a clear error in the protocol's own shape — never a 500. An
// oversized body is answered with an error too, after it has been drained.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import { verifySigV4 } from '../../auth/sigv4/verify.ts';
import { defaultScopes } from '../../auth/sigv4/types.ts';
import type { SigV4Protocol } from '../../auth/sigv4/errors.ts';
import { openSecret } from '../../auth/tokens/secret-box.ts';
import { principalOfKey } from '../../auth/principal.ts';
import { answerEcr, type EcrEndpointOptions } from './ecr-endpoint.ts';
import { IAM_HANDLERS, IamError, iamResource } from '../../iam/iam-operations.ts';
import { AWS_JSON_11, BODY_LIMITS, DEFAULT_BODY_LIMIT, bodyTooLarge, bodyTooLargeMessage, writeAwsJsonError } from './json-protocol.ts';
import { readLimitedBody } from './request-body.ts';
import { isEcrOperation } from './ecr-operations.ts';
import { ecrOperation, nameOperation, queryOperation } from '../../metrics/operation-name.ts';
import { writeQueryError, writeQueryResponse } from './query-protocol.ts';

/** What the control plane needs: the same as the ECR operations it dispatches to. */
export type AwsEndpointOptions = EcrEndpointOptions;

/** Control-plane requests are small JSON or form documents, but for ECR's layer parts and manifests. */
function bodyLimit(req: IncomingMessage): number {
  return BODY_LIMITS[targetOperation(req)] ?? DEFAULT_BODY_LIMIT;
}

/**
 * The wire protocol a request speaks: AWS JSON 1.1 (ECR) when it names a target or has
 * the JSON content type, the Query protocol (IAM, STS) otherwise. Errors, even before the
 * signature is checked, are written in that protocol's shape.
 */
function wireProtocol(req: IncomingMessage): SigV4Protocol {
  if (req.headers['x-amz-target'] !== undefined) return 'json';
  const contentType = String(req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return contentType === AWS_JSON_11 || contentType === 'application/json' ? 'json' : 'query';
}

/** The operation X-Amz-Target names (after the service prefix); '' without one. */
function targetOperation(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : '';
}

/** The request's label in /metrics: the operation when it is one Berth knows (src/metrics/operation-name.ts). */
function operationName(service: 'ecr' | 'iam' | 'sts', req: IncomingMessage, action: string): string {
  if (service === 'ecr') return ecrOperation(targetOperation(req), isEcrOperation);
  return queryOperation(service, action, (name) => (service === 'sts' ? STS_ACTIONS.has(name) : IAM_HANDLERS.has(name)));
}

/** STS's actions (botocore's sts model); every other Query action is IAM's. */
const STS_ACTIONS: ReadonlySet<string> = new Set([
  'AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'DecodeAuthorizationMessage', 'GetAccessKeyInfo',
  'GetCallerIdentity', 'GetDelegatedAccessToken', 'GetFederationToken', 'GetSessionToken', 'GetWebIdentityToken',
]);

/**
 * A Query request's parameters: those of the URL (a presigned GET carries them all there),
 * without SigV4's own X-Amz-* ones, then those of the form body.
 */
function queryParameters(query: string, body: Buffer): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(query)) {
    if (!name.toLowerCase().startsWith('x-amz-')) params.append(name, value);
  }
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.append(name, value);
  return params;
}

export function createAwsEndpoint(options: AwsEndpointOptions) {
  const lookupSecret = async (accessKeyId: string) => {
    const owner = await options.identities.activeKeyOwner(accessKeyId);
    const secretAccessKey = owner ? openSecret(owner.key.sealedSecret, options.serverKey) : undefined;
    if (!owner || secretAccessKey === undefined) return undefined;
    return { secretAccessKey, principal: principalOfKey(owner.user, accessKeyId) };
  };

  return async (req: IncomingMessage, res: ServerResponse, requestId: string, query: string): Promise<void> => {
    const protocol = wireProtocol(req);
    const limit = protocol === 'json' ? bodyLimit(req) : DEFAULT_BODY_LIMIT;
    const body = await readLimitedBody(req, limit);
    if (!body.ok) {
      if (body.reason === 'aborted') return;
      if (!body.drained) res.setHeader('Connection', 'close');
      if (protocol === 'json') return writeAwsJsonError(res, requestId, bodyTooLarge(limit, !body.drained));
      return writeQueryError(res, 'sts', requestId, { code: 'InvalidRequest', message: bodyTooLargeMessage(limit), status: 413 });
    }
    const params = protocol === 'query' ? queryParameters(query, body.bytes) : undefined;
    const action = params?.get('Action') ?? '';
    // The credential must be scoped to the service the request is for: an ECR call signed
    // for IAM is as wrong at this one endpoint as it would be at AWS's separate ones.
    const service = protocol === 'json' ? 'ecr' : STS_ACTIONS.has(action) ? 'sts' : 'iam';
    nameOperation(res, operationName(service, req, action));
    const verified = await verifySigV4(
      { method: req.method ?? 'POST', path: '/', query, headers: req.headersDistinct, bodySha256Hex: createHash('sha256').update(body.bytes).digest('hex') },
      lookupSecret,
      // X-Amz-Target names the operation: unsigned, a signed DescribeImages could be replayed as a DeleteRepository.
      { scopes: defaultScopes(options.region), protocol, expectedService: service, mustSign: protocol === 'json' ? ['X-Amz-Target'] : [] },
    );
    if (!verified.ok) {
      options.log.info({ reqId: requestId, reason: verified.error.kind }, 'control-plane request not authenticated');
      return protocol === 'json' ? writeAwsJsonError(res, requestId, verified.error) : writeQueryError(res, service, requestId, verified.error);
    }
    if (!params) return answerEcr(options, req, res, requestId, body.bytes, verified.principal);
    const { principal } = verified;
    if (verified.service === 'sts' && action === 'GetCallerIdentity') {
      return writeQueryResponse(res, 'sts', 'GetCallerIdentity', requestId, { Arn: principal.arn, UserId: principal.userId, Account: principal.accountId });
    }
    const handler = verified.service === 'iam' ? IAM_HANDLERS.get(action) : undefined;
    if (!handler) {
      return writeQueryError(res, verified.service, requestId, {
        code: 'InvalidAction',
        message: `Berth does not implement ${verified.service.toUpperCase()} ${action || '(no Action)'} yet`,
        status: 400,
      });
    }
    const context = { identities: options.metadata.identities, principal, serverKey: options.serverKey, now: () => new Date() };
    const resource = await iamResource(context, params);
    const denied = await options.authorizer.firstDenied(principal, {
      action: `iam:${action}`,
      resources: [resource],
      resourceAccountId: principal.accountId,
      sourceIp: req.socket.remoteAddress ?? '',
      secureTransport: req.socket instanceof TLSSocket,
      now: new Date(),
    });
    if (denied) {
      return writeQueryError(res, 'iam', requestId, { code: 'AccessDenied', status: 403, message: `User: ${principal.arn} is not authorized to perform: iam:${action} on resource: ${resource}` });
    }
    try {
      return writeQueryResponse(res, 'iam', action, requestId, await handler(context, params));
    } catch (error) {
      if (error instanceof IamError) return writeQueryError(res, 'iam', requestId, error);
      throw error;
    }
  };
}
