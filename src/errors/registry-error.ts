// The one error type the domain throws. `code` names what went wrong in the
// registry's own vocabulary; the wire shape (OCI code and status, later the ECR
// exception name) is looked up in catalog.ts at the edge, never chosen here.

export type ErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_TOO_LARGE'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'TAG_IMMUTABLE'
  | 'RANGE_INVALID'
  | 'RANGE_NOT_SATISFIABLE'
  | 'PAGINATION_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'TOOMANYREQUESTS'
  | 'HEADER_TOO_LARGE'
  | 'INTERNAL';

export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly detail: unknown;
  /** Extra response headers the protocol requires with this error (e.g. Range on a 416). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, detail?: unknown, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
    this.detail = detail;
    this.headers = headers;
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}
