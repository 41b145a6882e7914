// The process's request listener: request ids, access logs, health endpoints,
// and the /v2/ API. Later front doors (the ECR control plane) plug in here.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from '../registry/registry.ts';
import type { RegistryGuard } from '../auth/registry-guard.ts';
import { handleOci } from './oci/oci-router.ts';
import { isServedHost, type RegistryAddress } from './registry-host.ts';
import { RegistryError } from '../errors/registry-error.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { fallbackOperation, operationOf } from '../metrics/operation-name.ts';

/** The guard for a Host that names a registry (account, region) this deployment does not serve. */
const refuseForeignRegistry: RegistryGuard = async (req) => ({
  refused: new RegistryError('NAME_UNKNOWN', `the registry ${req.headers.host ?? ''} is not served here`),
  mayMount: false,
});

export interface HttpHandlerOptions {
  readonly registry: Registry;
  readonly log: Logger;
  /** Answers /readyz: false while starting or draining. */
  readonly isReady: () => boolean;
  /** Authentication and authorization for /v2/; without it the registry API is open. */
  readonly guard?: RegistryGuard;
  /** The registry served here; /v2/ requests whose Host names another one are refused. */
  readonly served?: RegistryAddress;
  /** The control plane: AWS-signed `POST /` requests, and `GET /?…` ones for the Query protocol. */
  readonly aws?: (req: IncomingMessage, res: ServerResponse, requestId: string, query: string) => Promise<void>;
  /** Prometheus metrics: every request is observed, and GET /metrics serves them (without credentials). */
  readonly metrics?: Metrics;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function createHttpHandler(options: HttpHandlerOptions): RequestListener {
  const { registry, log, metrics } = options;
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    // The request's and the response's errors reach the handlers through their own
    // reads and writes (a rejected pipeline, a write callback). These listeners keep an
    // error emitted when nobody reads or writes — a response written to after the
    // client left, a body failing after its handler answered — from being an
    // unhandled 'error' event, which would end the process for every client.
    const onStreamError = (error: Error) => log.debug({ reqId: requestId, err: error }, 'request stream error after the handler was done with it');
    req.on('error', onStreamError);
    res.on('error', onStreamError);
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
    // One access-log line per request, when info is on (benchmarks run at warn).
    if (log.isLevelEnabled('info')) {
      res.once('close', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.info({ reqId: requestId, method: req.method, path, status: res.statusCode, ms, completed: res.writableFinished }, 'request');
      });
    }

    if (metrics) {
      res.once('close', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.observeRequest(operationOf(res) ?? fallbackOperation(path), res.statusCode, seconds);
      });
    }

    if (path.startsWith('/v2')) {
      const foreign = options.served && !isServedHost(req.headers.host, options.served);
      handleOci(req, res, path, query, registry, log, requestId, foreign ? refuseForeignRegistry : options.guard).catch((error: unknown) => {
        // handleOci answers every failure itself; this is the last guard against a bug there.
        log.error({ reqId: requestId, err: error }, 'request handler failed');
        res.destroy();
      });
      return;
    }
    // The Query protocol also comes as a GET with its parameters (and a presigned
    // signature) in the URL, as in STS GetCallerIdentity URLs that stand for an identity.
    const controlPlane = req.method === 'POST' || (req.method === 'GET' && queryAt !== -1);
    if (path === '/' && controlPlane && options.aws) {
      options.aws(req, res, requestId, queryAt === -1 ? '' : url.slice(queryAt + 1)).catch((error: unknown) => {
        log.error({ reqId: requestId, err: error }, 'control-plane request failed');
        if (res.headersSent) res.destroy();
        else sendText(res, 500, 'internal error');
      });
      return;
    }
    if (path === '/healthz') return sendText(res, 200, 'ok');
    if (path === '/readyz') return options.isReady() ? sendText(res, 200, 'ready') : sendText(res, 503, 'not ready');
    if (path === '/metrics' && metrics) return serveMetrics(metrics, req, res, log, requestId);
    sendText(res, 404, 'not found');
  };
}

function serveMetrics(metrics: Metrics, req: IncomingMessage, res: ServerResponse, log: Logger, requestId: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendText(res, 405, 'method not allowed');
  }
  metrics.exposition().then(
    ({ contentType, body }) => {
      res.statusCode = 200;
      res.setHeader('Content-Type', contentType);
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(req.method === 'HEAD' ? undefined : body);
    },
    (error: unknown) => {
      log.error({ reqId: requestId, err: error }, 'collecting metrics failed');
      sendText(res, 500, 'collecting metrics failed');
    },
  );
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
