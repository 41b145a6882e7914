// Recomputes a request's signature with the AWS SDK's own SigV4 implementation
// (@smithy/signature-v4): its canonical path (normalised, double URI-encoded, as every
// service but S3 expects), canonical query, canonical headers, string to sign and
// signing-key derivation. Only the headers the client named as signed go into the request.

import { timingSafeEqual } from 'node:crypto';
import { ALGORITHM_IDENTIFIER, SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';
import { HttpRequest } from '@smithy/core/protocols';
import type { Credential } from './credential.ts';
import type { QueryBag } from './query-string.ts';

/** Node's SHA-256 in the shape the SDK wants, as the SDK's Node runtime config builds it. */
export const Sha256 = Hash.bind(null, 'sha256');

export interface CanonicalInput {
  /** Upper-case method as received. */
  readonly method: string;
  /** Raw path as received, percent-encoding included; the signer encodes it once more. */
  readonly path: string;
  /** Decoded query parameters (X-Amz-Signature is left out by the signer itself). */
  readonly query: QueryBag;
  /** Exactly the signed headers: lowercase name → value. */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD. */
  readonly payloadHash: string;
  /** X-Amz-Date (or the Date header) in ISO 8601 basic format. */
  readonly longDate: string;
  readonly signedAtMs: number;
  readonly credential: Credential;
}

class VerifyingSigner extends SignatureV4 {
  async signatureFor(input: CanonicalInput): Promise<string> {
    const { credential } = input;
    const request = new HttpRequest({
      method: input.method,
      protocol: 'https:',
      hostname: input.headers['host'] ?? '',
      path: input.path,
      query: { ...input.query },
      headers: { ...input.headers },
    });
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(Object.keys(input.headers)));
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, input.payloadHash);
    const scope = `${credential.date}/${credential.region}/${credential.service}/${credential.terminator}`;
    const stringToSign = await this.createStringToSign(input.longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER);
    return this.sign(stringToSign, {
      signingDate: new Date(input.signedAtMs),
      signingRegion: credential.region,
      signingService: credential.service,
    });
  }
}

/** The hex signature AWS would compute for `input` with this secret. */
export function computeSignature(input: CanonicalInput, secretAccessKey: string): Promise<string> {
  const signer = new VerifyingSigner({
    service: input.credential.service,
    region: input.credential.region,
    credentials: { accessKeyId: input.credential.accessKeyId, secretAccessKey },
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  return signer.signatureFor(input);
}

const SIGNATURE = /^[0-9a-f]{64}$/;

/** Constant-time comparison of two hex signatures; a malformed one never matches. */
export function signaturesEqual(providedHex: string, computedHex: string): boolean {
  if (!SIGNATURE.test(providedHex) || !SIGNATURE.test(computedHex)) return false;
  return timingSafeEqual(Buffer.from(providedHex, 'hex'), Buffer.from(computedHex, 'hex'));
}
