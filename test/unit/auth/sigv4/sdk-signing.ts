// Signs requests with the AWS SDK's SignatureV4 the way the SDK v3 clients do, and turns
// the signed request into what the server would see (raw path and query, lowercase headers).

import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';
import { HttpRequest, buildQueryString } from '@smithy/core/protocols';
import type { HttpRequest as SignedRequest, RequestPresigningArguments } from '@smithy/types';
import type { SigV4Request, SigV4Secret, SecretLookup, VerifyOptions } from '../../../../src/auth/sigv4/types.ts';

export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
export const REGION = 'eu-west-1';

export const ALICE = { accessKeyId: 'AKIABERTHALICE000001', secretAccessKey: 'alice/Secret+Key/0123456789abcdefghijklm' };
export const BOB = { accessKeyId: 'AKIABERTHBOB00000002', secretAccessKey: 'bob/Secret+Key/0123456789abcdefghijklmno' };

export interface Principal {
  readonly user: string;
}

const KEYS = new Map<string, SigV4Secret<Principal>>([
  [ALICE.accessKeyId, { secretAccessKey: ALICE.secretAccessKey, principal: { user: 'alice' } }],
  [BOB.accessKeyId, { secretAccessKey: BOB.secretAccessKey, principal: { user: 'bob' } }],
]);

export const lookup: SecretLookup<Principal> = async (accessKeyId) => KEYS.get(accessKeyId);

export function options(extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    scopes: { ecr: [REGION], iam: ['us-east-1', REGION], sts: ['us-east-1', REGION] },
    now: () => NOW,
    ...extra,
  };
}

export function sha256Hex(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export interface ToSign {
  readonly service: string;
  readonly region: string;
  readonly method: string;
  readonly host: string;
  readonly path?: string;
  readonly query?: Record<string, string | string[]>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signingDate?: number;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The SDK default (true) adds x-amz-content-sha256; botocore-style signing does not. */
  readonly applyChecksum?: boolean;
}

function signer(input: ToSign): SignatureV4 {
  return new SignatureV4({
    service: input.service,
    region: input.region,
    credentials: input.credentials ?? ALICE,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: input.applyChecksum ?? true,
  });
}

function httpRequest(input: ToSign): HttpRequest {
  return new HttpRequest({
    method: input.method,
    protocol: 'https:',
    hostname: input.host,
    path: input.path ?? '/',
    query: input.query ?? {},
    headers: { host: input.host, ...input.headers },
    ...(input.body === undefined ? {} : { body: input.body }),
  });
}

export function asReceived(signed: SignedRequest, body: string | undefined): SigV4Request {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  return {
    method: signed.method,
    path: signed.path,
    query: buildQueryString(signed.query ?? {}),
    headers,
    bodySha256Hex: sha256Hex(body ?? ''),
  };
}

export async function signWithSdk(input: ToSign): Promise<SigV4Request> {
  const signed = await signer(input).sign(httpRequest(input), { signingDate: new Date(input.signingDate ?? NOW) });
  return asReceived(signed, input.body);
}

export async function presignWithSdk(input: ToSign, expiresIn: number, extra: RequestPresigningArguments = {}): Promise<SigV4Request> {
  const signed = await signer(input).presign(httpRequest(input), { signingDate: new Date(input.signingDate ?? NOW), expiresIn, ...extra });
  return asReceived(signed, input.body);
}

/** An ECR call as @aws-sdk/client-ecr sends it: JSON 1.1, POST /, X-Amz-Target. */
export function ecrCall(operation: string, payload: unknown, extra: Partial<ToSign> = {}): ToSign {
  const body = JSON.stringify(payload);
  return {
    service: 'ecr',
    region: REGION,
    method: 'POST',
    host: `api.ecr.${REGION}.amazonaws.com`,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${operation}`,
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-user-agent': 'aws-sdk-js/3.700.0',
      'amz-sdk-invocation-id': '6f1c2a4e-8a3b-4f8e-9d41-1b2c3d4e5f60',
      'amz-sdk-request': 'attempt=1; max=3',
      'user-agent': 'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#24.0.0 api/ecr#3.700.0',
    },
    body,
    ...extra,
  };
}

/** An AWS Query protocol call (IAM, STS): POST / with a form body. */
export function queryCall(service: 'iam' | 'sts', region: string, form: string, extra: Partial<ToSign> = {}): ToSign {
  return {
    service,
    region,
    method: 'POST',
    host: service === 'iam' ? 'iam.amazonaws.com' : region === 'us-east-1' ? 'sts.amazonaws.com' : `sts.${region}.amazonaws.com`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(form)),
    },
    body: form,
    ...extra,
  };
}

/** Replaces one component of the Authorization header. */
export function withAuthorization(request: SigV4Request, authorization: string | undefined): SigV4Request {
  const headers = { ...request.headers };
  if (authorization === undefined) delete headers['authorization'];
  else headers['authorization'] = authorization;
  return { ...request, headers };
}

export function authorizationOf(request: SigV4Request): string {
  return request.headers['authorization'] as string;
}
