// The control plane's front door: `POST /` signed with SigV4. The signature names the
// caller; the caller's access key must be active. JSON requests go to the ECR
// operations (ecr-endpoint.ts); Query requests answer STS GetCallerIdentity. What is
// not built yet gets a clear error in the protocol's own shape — never a 500.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import { verifySigV4 } from '../../auth/sigv4/verify.ts';
import { defaultScopes } from '../../auth/sigv4/types.ts';
import { openSecret } from '../../auth/tokens/secret-box.ts';
import { principalOfKey } from '../../auth/principal.ts';
import { answerEcr, type EcrEndpointOptions } from './ecr-endpoint.ts';
import { IAM_HANDLERS, IamError, iamResource } from '../../iam/iam-operations.ts';
import { BODY_LIMITS, DEFAULT_BODY_LIMIT, writeAwsJsonError } from './json-protocol.ts';
import { writeQueryError, writeQueryResponse } from './query-protocol.ts';

/** What the control plane needs: the same as the ECR operations it dispatches to. */
export type AwsEndpointOptions = EcrEndpointOptions;

/** Control-plane requests are small JSON or form documents, but for ECR's layer parts and manifests. */
function bodyLimit(req: IncomingMessage): number {
  const target = req.headers['x-amz-target'];
  const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : '';
  return BODY_LIMITS[operation] ?? DEFAULT_BODY_LIMIT;
}

export function createAwsEndpoint(options: AwsEndpointOptions) {
  const lookupSecret = async (accessKeyId: string) => {
    const owner = await options.identities.activeKeyOwner(accessKeyId);
    const secretAccessKey = owner ? openSecret(owner.key.sealedSecret, options.serverKey) : undefined;
    if (!owner || secretAccessKey === undefined) return undefined;
    return { secretAccessKey, principal: principalOfKey(owner.user, accessKeyId) };
  };

  return async (req: IncomingMessage, res: ServerResponse, requestId: string, query: string): Promise<void> => {
    const json = req.headers['x-amz-target'] !== undefined;
    const limit = bodyLimit(req);
    const body = await readBody(req, limit);
    if (body === undefined) {
      res.setHeader('Connection', 'close');
      const error = { code: json ? 'SerializationException' : 'InvalidRequest', message: `the request body exceeds ${limit} bytes`, status: 413 };
      return json ? writeAwsJsonError(res, requestId, { ...error, closeConnection: true }) : writeQueryError(res, 'sts', requestId, error);
    }
    const verified = await verifySigV4(
      { method: req.method ?? 'POST', path: '/', query, headers: req.headersDistinct, bodySha256Hex: createHash('sha256').update(body).digest('hex') },
      lookupSecret,
      { scopes: defaultScopes(options.region), protocol: json ? 'json' : 'query' },
    );
    if (!verified.ok) {
      options.log.info({ reqId: requestId, reason: verified.error.kind }, 'control-plane request not authenticated');
      return json ? writeAwsJsonError(res, requestId, verified.error) : writeQueryError(res, 'sts', requestId, verified.error);
    }
    if (json) return answerEcr(options, req, res, requestId, body, verified.principal);
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action') ?? '';
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
    const resource = iamResource(context, params);
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

/** The whole body, or undefined when it is larger than the limit. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}
