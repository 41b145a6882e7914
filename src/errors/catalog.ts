// One table from domain error codes to their wire form on each protocol.
// The OCI column uses only codes from the distribution spec's list; the HTTP
// status is the one the spec (or, where it is silent, Distribution) uses.
import type { ErrorCode } from './registry-error.ts';

export interface WireError {
  /** Code in the OCI error envelope. */
  readonly oci: string;
  readonly status: number;
  /** Default human message when the thrower gave none. */
  readonly message: string;
  /** ECR exception name for the control plane. */
  readonly ecr: string;
}

export const ERROR_CATALOG: Readonly<Record<ErrorCode, WireError>> = {
  BLOB_UNKNOWN: { oci: 'BLOB_UNKNOWN', status: 404, message: 'blob unknown to registry', ecr: 'LayersNotFoundException' },
  BLOB_UPLOAD_INVALID: { oci: 'BLOB_UPLOAD_INVALID', status: 400, message: 'blob upload invalid', ecr: 'InvalidLayerPartException' },
  BLOB_UPLOAD_UNKNOWN: { oci: 'BLOB_UPLOAD_UNKNOWN', status: 404, message: 'blob upload unknown to registry', ecr: 'UploadNotFoundException' },
  DIGEST_INVALID: { oci: 'DIGEST_INVALID', status: 400, message: 'provided digest did not match uploaded content', ecr: 'InvalidLayerException' },
  MANIFEST_BLOB_UNKNOWN: { oci: 'MANIFEST_BLOB_UNKNOWN', status: 400, message: 'manifest references a manifest or blob unknown to registry', ecr: 'LayersNotFoundException' },
  MANIFEST_INVALID: { oci: 'MANIFEST_INVALID', status: 400, message: 'manifest invalid', ecr: 'InvalidParameterException' },
  MANIFEST_UNKNOWN: { oci: 'MANIFEST_UNKNOWN', status: 404, message: 'manifest unknown to registry', ecr: 'ImageNotFoundException' },
  MANIFEST_TOO_LARGE: { oci: 'SIZE_INVALID', status: 413, message: 'manifest exceeds the size limit', ecr: 'InvalidParameterException' },
  NAME_INVALID: { oci: 'NAME_INVALID', status: 400, message: 'invalid repository name', ecr: 'InvalidParameterException' },
  NAME_UNKNOWN: { oci: 'NAME_UNKNOWN', status: 404, message: 'repository name not known to registry', ecr: 'RepositoryNotFoundException' },
  SIZE_INVALID: { oci: 'SIZE_INVALID', status: 400, message: 'provided length did not match content length', ecr: 'InvalidLayerPartException' },
  TAG_INVALID: { oci: 'MANIFEST_INVALID', status: 400, message: 'invalid tag', ecr: 'InvalidParameterException' },
  TAG_IMMUTABLE: { oci: 'MANIFEST_INVALID', status: 400, message: 'the tag exists and the repository is immutable', ecr: 'ImageTagAlreadyExistsException' },
  RANGE_INVALID: { oci: 'BLOB_UPLOAD_INVALID', status: 416, message: 'chunk does not start at the current upload offset', ecr: 'InvalidLayerPartException' },
  RANGE_NOT_SATISFIABLE: { oci: 'RANGE_INVALID', status: 416, message: 'requested range not satisfiable', ecr: 'InvalidParameterException' },
  PAGINATION_INVALID: { oci: 'PAGINATION_NUMBER_INVALID', status: 400, message: 'invalid pagination parameters', ecr: 'InvalidParameterException' },
  UNAUTHORIZED: { oci: 'UNAUTHORIZED', status: 401, message: 'authentication required', ecr: 'UnrecognizedClientException' },
  DENIED: { oci: 'DENIED', status: 403, message: 'requested access to the resource is denied', ecr: 'AccessDeniedException' },
  UNSUPPORTED: { oci: 'UNSUPPORTED', status: 415, message: 'the operation is unsupported', ecr: 'UnsupportedImageTypeException' },
  METHOD_NOT_ALLOWED: { oci: 'UNSUPPORTED', status: 405, message: 'the method is not allowed for this resource', ecr: 'InvalidParameterException' },
  NOT_FOUND: { oci: 'UNSUPPORTED', status: 404, message: 'no such endpoint', ecr: 'InvalidParameterException' },
  TOOMANYREQUESTS: { oci: 'TOOMANYREQUESTS', status: 429, message: 'too many requests', ecr: 'LimitExceededException' },
  HEADER_TOO_LARGE: { oci: 'UNSUPPORTED', status: 431, message: 'request headers too large', ecr: 'InvalidParameterException' },
  INTERNAL: { oci: 'UNKNOWN', status: 500, message: 'unknown error', ecr: 'ServerException' },
};
