// One request/response pair on the OCI API, with the helpers every handler
// uses to read validated inputs. Parsing failures become RegistryErrors, which
// the router writes as OCI error envelopes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError } from '../../errors/registry-error.ts';
import { isDigest, parseDigest, type Digest } from '../../model/digest.ts';
import type { Registry } from '../../registry/registry.ts';
import type { ChunkRange } from '../../registry/uploads.ts';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: URLSearchParams;
  readonly registry: Registry;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** False when the caller may not read the blob an upload start asks to mount: it uploads instead. */
  mayMount: boolean;
  /** The authenticated caller's principal ARN (from the guard); absent when anonymous or without a guard. */
  callerArn?: string;
}

export function requireDigest(text: string | null | undefined, what = 'digest'): Digest {
  if (!text) throw new RegistryError('DIGEST_INVALID', `${what} is required`);
  const digest = parseDigest(text);
  if (!isDigest(digest)) {
    const reason = digest === 'unsupported-algorithm' ? 'unsupported digest algorithm' : 'malformed digest';
    throw new RegistryError('DIGEST_INVALID', `${what} ${reason}`, { digest: text });
  }
  return digest;
}

/** Content-Length as a number; undefined when absent (e.g. chunked transfer). */
export function contentLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const value = Number(header);
  if (!Number.isSafeInteger(value) || value < 0) throw new RegistryError('SIZE_INVALID', 'invalid Content-Length');
  return value;
}

/** True when the request carries a body (a length above zero, or chunked transfer). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

const CONTENT_RANGE = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/;

export function contentRange(req: IncomingMessage): ChunkRange | undefined {
  const header = req.headers['content-range'];
  if (header === undefined) return undefined;
  const match = CONTENT_RANGE.exec(header.trim());
  if (!match) throw new RegistryError('BLOB_UPLOAD_INVALID', `malformed Content-Range: ${header}`);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) {
    throw new RegistryError('BLOB_UPLOAD_INVALID', `invalid Content-Range: ${header}`);
  }
  return { start, end };
}

/** Reads a small body whole, refusing more than `limit` bytes (manifests only). */
export async function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = contentLength(req);
  if (declared !== undefined && declared > limit) {
    throw new RegistryError('MANIFEST_TOO_LARGE', `manifest of ${declared} bytes exceeds the limit of ${limit}`, { limit });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new RegistryError('MANIFEST_TOO_LARGE', `manifest exceeds the limit of ${limit} bytes`, { limit });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string>): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Length', '0');
  res.end();
}

export function sendJson(res: ServerResponse, status: number, value: unknown, contentType = 'application/json', headers: Record<string, string> = {}, headOnly = false): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  for (const [name, header] of Object.entries(headers)) res.setHeader(name, header);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(headOnly ? undefined : body);
}

export function methodNotAllowed(allowed: string): RegistryError {
  return new RegistryError('METHOD_NOT_ALLOWED', 'the method is not allowed for this resource', undefined, { Allow: allowed });
}
