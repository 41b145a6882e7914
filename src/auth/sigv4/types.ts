import type { AllowedScopes } from './credential.ts';
import type { SigV4Error, SigV4Protocol } from './errors.ts';

/** What the server knows about a request, as received. */
export interface SigV4Request {
  readonly method: string;
  /** Raw path, percent-encoding as received, without the query. */
  readonly path: string;
  /** Raw query string, with or without the leading '?'. */
  readonly query: string;
  /** Lowercase header names; repeated headers as arrays (Node's `headersDistinct`) or joined strings. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Lowercase hex SHA-256 of the body bytes the server read (capped by the server). */
  readonly bodySha256Hex: string;
}

export interface SigV4Secret<P> {
  readonly secretAccessKey: string;
  readonly principal: P;
}

/** Finds the secret for an access key id; undefined when the key is unknown (or disabled). */
export type SecretLookup<P> = (accessKeyId: string) => Promise<SigV4Secret<P> | undefined>;

export interface VerifyOptions {
  /** Signing services this endpoint accepts, each with its allowed signing regions. */
  readonly scopes: AllowedScopes;
  /** When set, the credential must name this service (and error messages name it). */
  readonly expectedService?: string;
  /**
   * Headers that must be signed whenever the request carries them, as written in the
   * message (e.g. `X-Amz-Target`, which names the operation of a JSON request).
   */
  readonly mustSign?: readonly string[];
  /** Which AWS error names to answer with: JSON 1.1 (ECR, default) or Query (IAM, STS). */
  readonly protocol?: SigV4Protocol;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  /** Allowed clock skew either way; AWS allows 15 minutes. */
  readonly maxSkewMs?: number;
}

export type SigV4Result<P> =
  | {
      readonly ok: true;
      readonly principal: P;
      readonly accessKeyId: string;
      readonly service: string;
      readonly region: string;
      readonly presigned: boolean;
    }
  | { readonly ok: false; readonly error: SigV4Error };

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * The usual scopes for a server in `region`: ECR signs with that region. IAM and STS sign
 * with us-east-1 against AWS's global endpoints, but an SDK pointed at a custom endpoint
 * signs with its configured region, so both are accepted for them.
 */
export function defaultScopes(region: string): AllowedScopes {
  const global = region === 'us-east-1' ? ['us-east-1'] : ['us-east-1', region];
  return { ecr: [region], iam: global, sts: global };
}
