// The AWS JSON 1.1 protocol edge of the ECR control plane: recognise a request
// (`POST /`, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`,
// `Content-Type: application/x-amz-json-1.1`), parse its body (read by request-body.ts
// under the limits defined here), and write responses and errors in the shape botocore and
// the AWS SDK v3 parse:
// `{"__type":"<Exception>","message":"…"}` (lowercase `message`, as the ECR model's
// exception members are named), header `x-amzn-RequestId`.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { isEcrOperation } from './ecr-operations.ts';

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';
export const AWS_JSON_11 = 'application/x-amz-json-1.1';
const ACCEPTED_CONTENT_TYPES: ReadonlySet<string> = new Set([AWS_JSON_11, 'application/json']);

/** Default body limit; operations that carry bytes get more (see BODY_LIMITS). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/**
 * Per-operation body limits. UploadLayerPart carries up to 20,971,520 bytes as base64
 * (27,962,028 characters); PutImage a manifest of up to 4,194,304 characters, escaped.
 */
export const BODY_LIMITS: Readonly<Record<string, number>> = {
  UploadLayerPart: 28 * 1024 * 1024,
  PutImage: 16 * 1024 * 1024,
};

/** An error to answer in AWS's JSON shape. */
export interface AwsJsonError {
  /** The exception name, sent as `__type`. */
  readonly code: string;
  /** Omitted from the body when undefined (AWS sends none for UnknownOperationException). */
  readonly message?: string;
  readonly status: number;
  /** Extra members of the exception shape, e.g. InvalidLayerPartException's lastValidByteReceived. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The request body was not consumed: close the connection after answering. */
  readonly closeConnection?: boolean;
}

export function awsJsonError(code: string, message?: string, fields?: Record<string, unknown>): AwsJsonError {
  return { code, status: code === 'ServerException' ? 500 : 400, ...(message === undefined ? {} : { message }), ...(fields ? { fields } : {}) };
}

/** The operation named by the headers, or the error AWS answers for a request it cannot route. */
export function parseAwsJsonHeaders(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): { ok: true; operation: string } | { ok: false; error: AwsJsonError } {
  // Real JSON services answer a request they cannot route (no or unknown target, a
  // content type they do not speak) with UnknownOperationException and no message.
  const unknown = { ok: false as const, error: awsJsonError('UnknownOperationException') };
  const path = (url ?? '/').split('?', 1)[0];
  if (method !== 'POST' || path !== '/') return unknown;
  const contentType = String(headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (!ACCEPTED_CONTENT_TYPES.has(contentType)) return unknown;
  const target = headers['x-amz-target'];
  if (typeof target !== 'string') return unknown;
  const dot = target.indexOf('.');
  if (dot === -1 || target.slice(0, dot) !== ECR_TARGET_PREFIX) return unknown;
  const operation = target.slice(dot + 1);
  if (!isEcrOperation(operation)) return unknown;
  return { ok: true, operation };
}

/** A body over its limit. No capture of what ECR answers here; 413 with a JSON error the SDKs can parse. */
export function bodyTooLarge(limit: number, closeConnection = true): AwsJsonError {
  return { code: 'SerializationException', status: 413, message: bodyTooLargeMessage(limit), closeConnection };
}

export function bodyTooLargeMessage(limit: number): string {
  return `Request body exceeds the limit of ${limit} bytes`;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** An empty body is `{}`; anything but a JSON object is a SerializationException. */
export function parseJsonObject(bytes: Uint8Array): { ok: true; value: Record<string, unknown> } | { ok: false; error: AwsJsonError } {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, error: awsJsonError('SerializationException', 'Request body is not valid UTF-8') };
  }
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Coral answers malformed JSON with a bare SerializationException.
    return { ok: false, error: awsJsonError('SerializationException') };
  }
  if (Array.isArray(value)) return { ok: false, error: awsJsonError('SerializationException', 'Start of list found where not expected') };
  if (value === null || typeof value !== 'object') return { ok: false, error: awsJsonError('SerializationException', 'Expected a JSON object as the request body') };
  return { ok: true, value: value as Record<string, unknown> };
}

/** Blobs go out as base64 and timestamps as epoch seconds, the JSON protocol's defaults. */
function wireReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Date) return raw.getTime() / 1000;
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  return value;
}

export function encodeAwsJson(value: unknown): string {
  return JSON.stringify(value, wireReplacer);
}

function send(res: ServerResponse, status: number, requestId: string, body: string, extra: Record<string, string>): void {
  res.statusCode = status;
  res.setHeader('Content-Type', AWS_JSON_11);
  res.setHeader('x-amzn-RequestId', requestId);
  for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** A 200 with the operation's output (an empty output is `{}`). */
export function writeAwsJsonResponse(res: ServerResponse, requestId: string, output: object = {}): void {
  send(res, 200, requestId, encodeAwsJson(output), {});
}

/** The body of an error: `__type`, then `message` when there is one, then the exception's own members. */
export function awsJsonErrorBody(error: AwsJsonError): string {
  return encodeAwsJson({ __type: error.code, ...(error.message === undefined ? {} : { message: error.message }), ...error.fields });
}

export function writeAwsJsonError(res: ServerResponse, requestId: string, error: AwsJsonError): void {
  const extra: Record<string, string> = { 'x-amzn-ErrorType': error.code };
  if (error.closeConnection) extra['Connection'] = 'close';
  send(res, error.status, requestId, awsJsonErrorBody(error), extra);
}
