// The errors AWS services answer when SigV4 authentication fails, by wire protocol.
// JSON-protocol services (ECR) name them "...Exception"; Query-protocol services (IAM, STS)
// use the common error names of their API references. Messages follow AWS's wording as seen
// in real responses and the IAM user guide's "Troubleshoot signed requests" page.

export type SigV4Protocol = 'json' | 'query';

/** Why authentication failed, independent of the wire protocol. */
export type SigV4FailureKind =
  | 'missing' // no Authorization header and no X-Amz-Algorithm query parameter
  | 'incomplete' // malformed or incomplete authentication material
  | 'unrecognized' // unknown access key id, or a security token (not supported)
  | 'signature' // signature mismatch, scope mismatch, clock skew
  | 'expired'; // presigned URL past X-Amz-Date + X-Amz-Expires

export interface SigV4Error {
  /** The AWS error name (`__type` for JSON, `<Code>` for Query). */
  readonly code: string;
  readonly message: string;
  /** The HTTP status AWS uses for it. */
  readonly status: number;
  readonly kind: SigV4FailureKind;
}

const CODES: Readonly<Record<SigV4FailureKind, Readonly<Record<SigV4Protocol, readonly [string, number]>>>> = {
  missing: { json: ['MissingAuthenticationTokenException', 400], query: ['MissingAuthenticationToken', 403] },
  incomplete: { json: ['IncompleteSignatureException', 400], query: ['IncompleteSignature', 400] },
  unrecognized: { json: ['UnrecognizedClientException', 400], query: ['InvalidClientTokenId', 403] },
  signature: { json: ['InvalidSignatureException', 400], query: ['SignatureDoesNotMatch', 403] },
  expired: { json: ['InvalidSignatureException', 400], query: ['RequestExpired', 400] },
};

export function sigv4Error(kind: SigV4FailureKind, message: string, protocol: SigV4Protocol = 'json'): SigV4Error {
  const [code, status] = CODES[kind][protocol];
  return { code, message, status, kind };
}

/** A parse step either yields a value or the failure to answer with. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly kind: SigV4FailureKind; readonly message: string };

export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function failed<T>(kind: SigV4FailureKind, message: string): Parsed<T> {
  return { ok: false, kind, message };
}

export const MESSAGES = {
  missingToken: 'Request is missing Authentication Token',
  invalidToken: 'The security token included in the request is invalid.',
  mismatch:
    'The request signature we calculated does not match the signature you provided. ' +
    'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  bothForms: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
  hostNotSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  contentSha256Mismatch: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  requestExpired: 'Request has expired',
} as const;

/** Worded like AWS's message for an unsigned Host header. */
export function mustBeSigned(header: string): string {
  return `'${header}' must be a 'SignedHeader' in the AWS Authorization.`;
}

/** AWS echoes the offending header; cap what goes back so a huge header is not mirrored. */
export function echo(value: string, max = 512): string {
  return value.length <= max ? value : `${value.slice(0, max)}...`;
}
