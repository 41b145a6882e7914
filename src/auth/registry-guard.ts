// Authentication and authorization for the registry API, the way ECR does it:
// `docker login -u AWS -p <token>` sends Basic AWS:<token>; the token names the access
// key it was issued for, which must still be active; each request's ECR actions
// are then evaluated against the caller's identity policies. A push that would
// create a repository also needs ecr:CreateRepository.
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { RegistryError } from '../errors/registry-error.ts';
import type { MetadataStore } from '../storage/meta/metadata-store.ts';
import { firstDenied } from './identity-policies.ts';
import type { Principal } from './principal.ts';
import { requiredAccess, type RegistryRoute } from './registry-actions.ts';
import { parseBasicAuthorization, TOKEN_USERNAME, wwwAuthenticateBasic } from './tokens/basic-auth.ts';
import { verifyToken } from './tokens/registry-token.ts';

export interface RegistryGuardOptions {
  readonly metadata: MetadataStore;
  readonly serverKey: Buffer;
  readonly accountId: string;
  readonly region: string;
}

export type RegistryGuard = (req: IncomingMessage, route: RegistryRoute) => Promise<RegistryError | undefined>;

const PUSH_ACTIONS = new Set(['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage']);

export function createRegistryGuard(options: RegistryGuardOptions): RegistryGuard {
  const challenge = (host: string | undefined) => ({ 'WWW-Authenticate': wwwAuthenticateBasic(`https://${host ?? 'registry'}/`) });
  const unauthorized = (req: IncomingMessage, message: string) => new RegistryError('UNAUTHORIZED', message, undefined, challenge(req.headers.host));

  const authenticate = async (req: IncomingMessage): Promise<Principal | RegistryError> => {
    const basic = parseBasicAuthorization(req.headers.authorization);
    if (!basic.ok) return unauthorized(req, basic.reason === 'missing' ? 'authentication required' : 'malformed Authorization header');
    if (basic.username !== TOKEN_USERNAME) return unauthorized(req, `log in as "${TOKEN_USERNAME}" with a token from GetAuthorizationToken`);
    const verified = verifyToken(basic.password, [options.serverKey]);
    if (!verified.ok) return unauthorized(req, verified.reason === 'expired' ? 'the authorization token has expired' : 'the authorization token is not valid');
    const { claims } = verified;
    const key = await options.metadata.identities.getAccessKey(claims.accessKeyId);
    const user = key && key.status === 'Active' ? await options.metadata.identities.getUser(key.accountId, key.userName) : undefined;
    if (!key || !user) return unauthorized(req, 'the access key this token was issued for is no longer active');
    return { accountId: user.accountId, userName: user.userName, userId: user.userId, arn: claims.principalArn, accessKeyId: key.accessKeyId };
  };

  return async (req, route) => {
    const principal = await authenticate(req);
    if (principal instanceof RegistryError) return principal;
    const access = requiredAccess(route, req.method ?? 'GET');
    const actions = [...access.actions];
    if (access.repository !== undefined && actions.some((action) => PUSH_ACTIONS.has(action))) {
      if (!(await options.metadata.repositories.exists(access.repository))) actions.push('ecr:CreateRepository');
    }
    const resource =
      access.repository === undefined
        ? `arn:aws:ecr:${options.region}:${options.accountId}:repository/*`
        : `arn:aws:ecr:${options.region}:${options.accountId}:repository/${access.repository}`;
    const repositoryPolicy = access.repository === undefined ? undefined : (await options.metadata.repositories.get(access.repository))?.policy;
    const registryPolicy = await options.metadata.registry.getPolicy(options.accountId);
    for (const action of actions) {
      const denied = await firstDenied(options.metadata.identities, principal, {
        action,
        resources: [resource],
        ...(repositoryPolicy !== undefined ? { repositoryPolicy } : {}),
        ...(registryPolicy !== undefined ? { registryPolicy } : {}),
        sourceIp: req.socket.remoteAddress ?? '',
        secureTransport: req.socket instanceof TLSSocket,
        now: new Date(),
      });
      if (denied) return new RegistryError('DENIED', `${principal.arn} is not authorized to perform ${action} on ${resource}`, { action, resource });
    }
    return undefined;
  };
}
