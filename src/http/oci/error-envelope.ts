// The only place OCI errors are written: the spec's {"errors":[…]} envelope with
// the code and status from the error catalogue.
import type { ServerResponse } from 'node:http';
import { ERROR_CATALOG } from '../../errors/catalog.ts';
import type { RegistryError } from '../../errors/registry-error.ts';

export function writeOciError(res: ServerResponse, error: RegistryError, headOnly: boolean): void {
  const wire = ERROR_CATALOG[error.code];
  const body = JSON.stringify({
    errors: [{ code: wire.oci, message: error.message || wire.message, ...(error.detail === undefined ? {} : { detail: error.detail }) }],
  });
  res.statusCode = wire.status;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(headOnly ? undefined : body);
}
