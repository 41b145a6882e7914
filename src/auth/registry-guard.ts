// Authentication and authorization for the registry API, the way ECR does it:
// `docker login -u AWS -p <token>` sends Basic AWS:<token>; the token names the access
// key it was issued for, which must still be active. An access key id and its secret
// as Basic credentials are accepted too (for tools and people without the AWS CLI).
// Each request's ECR actions are then evaluated against the caller's identity
// policies, the repository policy and the registry policy. A request without
// credentials goes through only where a policy grants the action to "*".
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { RegistryError } from '../errors/registry-error.ts';
import type { MetadataStore } from '../storage/meta/metadata-store.ts';
import { ANONYMOUS, resourceTagContext, type AccessRequest, type Authorizer, type Caller } from './authorizer.ts';
import type { IdentityLookup } from './identity-lookup.ts';
import { principalOfKey } from './principal.ts';
import { requiredAccess, type RegistryRoute } from './registry-actions.ts';
import { parseBasicAuthorization, TOKEN_USERNAME, wwwAuthenticateBasic } from './tokens/basic-auth.ts';
import { verifyToken } from './tokens/registry-token.ts';
import { openSecret } from './tokens/secret-box.ts';
import { TtlCache } from '../util/ttl-cache.ts';
import { checkBlobDownload } from './tokens/blob-download.ts';

export interface RegistryGuardOptions {
  readonly metadata: MetadataStore;
  readonly identities: IdentityLookup;
  readonly authorizer: Authorizer;
  readonly serverKey: Buffer;
  readonly accountId: string;
  readonly region: string;
  /** Whether a push may create its repository (then it also needs ecr:CreateRepository). */
  readonly createOnPush: boolean;
}

export interface GuardVerdict {
  /** Set when the request must not go on. */
  readonly refused?: RegistryError;
  /**
   * Whether a `mount` on an upload start may link the blob: the caller must be allowed to
   * read it where it is. When not, the upload starts as if no mount had been asked (202).
   */
  readonly mayMount: boolean;
  /** The ARN of the principal the request goes on as; absent for an anonymous caller. */
  readonly callerArn?: string;
}

export type RegistryGuard = (req: IncomingMessage, route: RegistryRoute, query: URLSearchParams) => Promise<GuardVerdict>;

const PUSH_ACTIONS = new Set(['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage']);
const ACCESS_KEY_ID = /^(?:AKIA|ASIA)[A-Z0-9]{12,124}$/;

export function createRegistryGuard(options: RegistryGuardOptions): RegistryGuard {
  const { metadata, authorizer } = options;
  const challenge = (host: string | undefined) => ({ 'WWW-Authenticate': wwwAuthenticateBasic(`https://${host ?? 'registry'}/`) });
  const unauthorized = (req: IncomingMessage, message: string) => new RegistryError('UNAUTHORIZED', message, undefined, challenge(req.headers.host));
  const repositoryArn = (name: string) => `arn:aws:ecr:${options.region}:${options.accountId}:repository/${name}`;

  /** Who calls, and until when (epoch ms) the credentials they sent hold. */
  const authenticate = async (req: IncomingMessage): Promise<{ caller: Caller; notAfter: number } | RegistryError> => {
    const basic = parseBasicAuthorization(req.headers.authorization);
    if (!basic.ok) return basic.reason === 'missing' ? { caller: ANONYMOUS, notAfter: Infinity } : unauthorized(req, 'malformed Authorization header');
    // containers/image (skopeo, podman, buildah) answers a Basic challenge without credentials
    // with an empty user and password: that is an anonymous request, not a failed login.
    if (basic.username === '' && basic.password === '') return { caller: ANONYMOUS, notAfter: Infinity };
    if (basic.username === TOKEN_USERNAME) {
      const verified = verifyToken(basic.password, [options.serverKey]);
      if (!verified.ok) return unauthorized(req, verified.reason === 'expired' ? 'the authorization token has expired' : 'the authorization token is not valid');
      const owner = await options.identities.activeKeyOwner(verified.claims.accessKeyId);
      if (!owner) return unauthorized(req, 'the access key this token was issued for is no longer active');
      return { caller: principalOfKey(owner.user, owner.key.accessKeyId), notAfter: verified.claims.expiresAt.getTime() };
    }
    if (ACCESS_KEY_ID.test(basic.username)) {
      const owner = await options.identities.activeKeyOwner(basic.username);
      const secret = owner ? openSecret(owner.key.sealedSecret, options.serverKey) : undefined;
      if (!owner || secret === undefined || !sameSecret(secret, basic.password)) return unauthorized(req, 'the access key id or secret is not valid');
      return { caller: principalOfKey(owner.user, owner.key.accessKeyId), notAfter: Infinity };
    }
    return unauthorized(req, `log in as "${TOKEN_USERNAME}" with a token from GetAuthorizationToken, or with an access key id and its secret`);
  };

  const baseRequest = (req: IncomingMessage): Pick<AccessRequest, 'resourceAccountId' | 'sourceIp' | 'secureTransport' | 'now'> => ({
    resourceAccountId: options.accountId,
    sourceIp: req.socket.remoteAddress ?? '',
    secureTransport: req.socket instanceof TLSSocket,
    now: new Date(),
  });

  /** Whether the caller may read the blob it asks to mount from where it is. */
  const mayMountFrom = async (req: IncomingMessage, caller: Caller, query: URLSearchParams, registryPolicy: string | undefined): Promise<boolean> => {
    if (!query.has('mount')) return true;
    const from = query.get('from');
    // Without `from` the blob may be in any repository: only a caller who may read every
    // repository can mount it; anyone else uploads it.
    const source = from === null ? undefined : await metadata.repositories.get(from);
    if (from !== null && source === undefined) return true; // nothing to mount: the handler answers 202 anyway
    const denied = await authorizer.firstDenied(caller, {
      ...baseRequest(req),
      action: 'ecr:GetDownloadUrlForLayer',
      resources: [repositoryArn(from ?? '*')],
      repositoryPolicy: source?.policy,
      registryPolicy,
      context: resourceTagContext(source?.tags),
    });
    return denied === undefined;
  };

  /** A GetDownloadUrlForLayer URL: its signature stands in for a login, for that one blob. */
  const presignedDownload = async (req: IncomingMessage, route: RegistryRoute, query: URLSearchParams): Promise<GuardVerdict | undefined> => {
    if (route.kind !== 'blob' || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined;
    const check = checkBlobDownload(options.serverKey, query, route.name, route.digest, Math.floor(Date.now() / 1000));
    if (!check.ok && check.reason === 'absent') return undefined;
    if (!check.ok) return { refused: unauthorized(req, check.reason === 'expired' ? 'the download URL has expired' : 'the download URL signature is not valid'), mayMount: false };
    if (!(await options.identities.activeKeyOwner(check.accessKeyId))) return { refused: unauthorized(req, 'the access key that signed this download URL is no longer active'), mayMount: false };
    return { mayMount: false };
  };

  // Allowed decisions, by the exact credentials, method and resource they were made for.
  // One holds while the store's authorization generation stands still (nothing a decision
  // reads has changed, on any node) and the credentials are valid; decisions that consulted
  // a conditional policy depend on the request itself and are never kept.
  const allowed = new TtlCache<string, { generation: number; notAfter: number; verdict: GuardVerdict }>({ ttlMs: 60_000, maxEntries: 4_096 });

  return async (req, route, query) => {
    const presigned = await presignedDownload(req, route, query);
    if (presigned) return presigned;
    // An upload start may mount from another repository: decided afresh each time.
    const cacheKey = route.kind === 'upload-start' ? undefined : `${req.headers.authorization ?? ''}\n${req.method}\n${route.kind}\n${'name' in route ? route.name : ''}`;
    const generation = cacheKey === undefined ? undefined : await metadata.authorizationGeneration();
    if (cacheKey !== undefined) {
      const kept = allowed.get(cacheKey);
      if (kept && kept.generation === generation && Date.now() < kept.notAfter) return kept.verdict;
    }

    const authenticated = await authenticate(req);
    if (authenticated instanceof RegistryError) return { refused: authenticated, mayMount: false };
    const { caller } = authenticated;
    // `docker login` checks its credentials on /v2/: without any, it must see the challenge.
    if (caller === ANONYMOUS && route.kind === 'base') return { refused: unauthorized(req, 'authentication required'), mayMount: false };
    const access = requiredAccess(route, req.method ?? 'GET');
    const repository = access.repository === undefined ? undefined : await metadata.repositories.get(access.repository);
    const actions = [...access.actions];
    if (options.createOnPush && access.repository !== undefined && repository === undefined && actions.some((action) => PUSH_ACTIONS.has(action))) {
      actions.push('ecr:CreateRepository');
    }
    const resource = repositoryArn(access.repository ?? '*');
    const registryPolicy = await metadata.registry.getPolicy(options.accountId);
    let conditional = false;
    for (const action of actions) {
      const decision = await authorizer.decide(caller, {
        ...baseRequest(req),
        action,
        resources: [resource],
        repositoryPolicy: repository?.policy,
        registryPolicy,
        context: resourceTagContext(repository?.tags),
      });
      conditional ||= decision.conditional;
      if (!decision.denied) continue;
      // Without credentials the answer is "log in", not "forbidden".
      if (caller === ANONYMOUS) return { refused: unauthorized(req, 'authentication required'), mayMount: false };
      return { refused: new RegistryError('DENIED', `${caller.arn} is not authorized to perform ${action} on ${resource}`, { action, resource }), mayMount: false };
    }
    const mayMount = route.kind === 'upload-start' ? await mayMountFrom(req, caller, query, registryPolicy) : true;
    const verdict: GuardVerdict = caller === ANONYMOUS ? { mayMount } : { mayMount, callerArn: caller.arn };
    if (cacheKey !== undefined && generation !== undefined && !conditional) allowed.set(cacheKey, { generation, notAfter: authenticated.notAfter, verdict });
    return verdict;
  };
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}
