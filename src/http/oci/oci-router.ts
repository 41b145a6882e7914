// Dispatches /v2/ requests to their handler and turns every failure into the
// OCI error envelope. Handlers stay thin; this is the only catch on the OCI side.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { RegistryError, isRegistryError } from '../../errors/registry-error.ts';
import type { Registry } from '../../registry/registry.ts';
import type { RegistryGuard } from '../../auth/registry-guard.ts';
import { handleBlob } from './blob-handlers.ts';
import { writeOciError } from './error-envelope.ts';
import { methodNotAllowed, sendJson, type Exchange } from './exchange.ts';
import { handleCatalog, handleReferrers, handleTags } from './listing-handlers.ts';
import { handleManifest } from './manifest-handlers.ts';
import { parseOciPath } from './parse-path.ts';
import { handleUpload, startUpload } from './upload-handlers.ts';
import { nameOperation, ociOperation } from '../../metrics/operation-name.ts';

/** Largest unread body that is drained (rather than the connection closed) after an error. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

export async function handleOci(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  registry: Registry,
  log: Logger,
  requestId: string,
  guard?: RegistryGuard,
): Promise<void> {
  res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  const ex: Exchange = { req, res, query, registry, signal: abort.signal, mayMount: true, callerArn: undefined };
  try {
    await dispatch(ex, path, guard);
  } catch (error) {
    respondWithError(ex, error, log, requestId);
  } finally {
    res.off('close', onClose);
  }
}

async function dispatch(ex: Exchange, path: string, guard: RegistryGuard | undefined): Promise<void> {
  const route = parseOciPath(path);
  if (route === undefined) throw new RegistryError('NOT_FOUND', 'no such endpoint', { path });
  nameOperation(ex.res, ociOperation(route.kind, ex.req.method));
  if (guard && route.kind !== 'invalid-name') {
    const verdict = await guard(ex.req, route, ex.query);
    if (verdict.refused) throw verdict.refused;
    ex.mayMount = verdict.mayMount;
    ex.callerArn = verdict.callerArn;
  }
  switch (route.kind) {
    case 'base':
      if (ex.req.method !== 'GET' && ex.req.method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
      return sendJson(ex.res, 200, {}, 'application/json', {}, ex.req.method === 'HEAD');
    case 'catalog':
      return handleCatalog(ex);
    case 'tags':
      return handleTags(ex, route.name);
    case 'manifest':
      return handleManifest(ex, route.name, route.reference);
    case 'blob':
      return handleBlob(ex, route.name, route.digest);
    case 'upload-start':
      return startUpload(ex, route.name);
    case 'upload':
      return handleUpload(ex, route.name, route.id);
    case 'referrers':
      return handleReferrers(ex, route.name, route.digest);
    case 'invalid-name':
      throw new RegistryError('NAME_INVALID', 'invalid repository name', { name: route.name });
  }
}

function respondWithError(ex: Exchange, error: unknown, log: Logger, requestId: string): void {
  const { req, res } = ex;
  const known = isRegistryError(error) ? error : undefined;
  if (!known) {
    if (ex.signal.aborted) return; // the client left; nobody is listening for an answer
    log.error({ reqId: requestId, err: error }, 'request failed');
  }
  if (res.headersSent) {
    // Mid-stream failure: the only honest signal left is a broken connection.
    res.destroy();
    return;
  }
  // Node reads and throws away whatever body is left after the answer, keeping the
  // connection usable (and the client able to read the error). For a large or
  // unknown remainder that costs too much: close the connection instead.
  if (!req.readableEnded) {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (!(declared <= DRAIN_LIMIT)) res.setHeader('Connection', 'close');
  }
  writeOciError(res, known ?? new RegistryError('INTERNAL', 'internal error'), req.method === 'HEAD');
}
