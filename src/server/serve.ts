// Runs the registry: listens over HTTP or HTTPS, reports where, and shuts down
// gracefully (stop accepting, let in-flight requests finish, then close stores).
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { buildApp, type App, type AppOptions } from './app.ts';
import { loadOrCreateSelfSigned } from './self-signed-tls.ts';
import { readFile } from 'node:fs/promises';

export interface RunningServer {
  readonly url: string;
  readonly app: App;
  readonly log: Logger;
  shutdown(reason: string): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

export interface ServeOptions {
  /** Run background jobs in this process (see AppOptions). */
  readonly runJobs?: boolean;
  /** Log the `listening` line at info: false in cluster workers, whose primary announces. */
  readonly announce?: boolean;
  /** Create the administrator on a first start (see AppOptions). */
  readonly bootstrap?: boolean;
  /** A decorator over the blob store (see AppOptions). */
  readonly decorateBlobStore?: AppOptions['decorateBlobStore'];
}

export async function serve(config: Config, log: Logger = createLogger(config), options: ServeOptions = {}): Promise<RunningServer> {
  const app = await buildApp(config, log, {
    runJobs: options.runJobs ?? true,
    bootstrap: options.bootstrap ?? true,
    ...(options.decorateBlobStore ? { decorateBlobStore: options.decorateBlobStore } : {}),
  });
  const serverOptions = {
    maxHeaderSize: config.limits.maxHeaderBytes,
    // Blob uploads can legitimately take hours; idle sockets are cut by the timeout below instead.
    requestTimeout: 0,
    headersTimeout: 60_000,
    keepAliveTimeout: 65_000,
  };
  let server: Server;
  let certPath: string | undefined;
  if (config.tls.mode === 'off') {
    server = createHttpServer(serverOptions, app.handler);
  } else {
    const material =
      config.tls.mode === 'self-signed'
        ? await loadOrCreateSelfSigned(config.tls.dir, config.host)
        : { cert: await readFile(config.tls.cert, 'utf8'), key: await readFile(config.tls.key, 'utf8'), certPath: config.tls.cert };
    certPath = material.certPath;
    server = createHttpsServer({ ...serverOptions, cert: material.cert, key: material.key }, app.handler);
  }
  server.setTimeout(5 * 60_000);
  // A client that half-closes after sending its request (shutdown(SHUT_WR), as some
  // scripts and proxies do) still gets its answer: by default Node drops the
  // response of any request still being handled when the FIN arrives.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('clientError', (error, socket) => {
    // Malformed requests and oversized headers: answer like Node would, without a stack in the logs.
    const code = (error as NodeJS.ErrnoException).code;
    if (socket.writable) {
      const status = code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
    log.debug({ code }, 'client error');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Once listening, errors of the listening socket itself (a failed accept) are no reason
  // to stop: the connections being served are unaffected, and Node keeps accepting.
  server.on('error', (error) => log.error({ err: error }, 'listening socket error'));
  const address = server.address() as AddressInfo;
  const scheme = config.tls.mode === 'off' ? 'http' : 'https';
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${scheme}://${shownHost}:${address.port}`;
  app.setReady(true);
  if (options.announce ?? true) log.info({ url, dataDir: config.dataDir, ...(certPath ? { certPath } : {}) }, 'listening');
  else log.debug({ url }, 'worker listening');

  let closing: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      log.info({ reason }, 'shutting down: draining in-flight requests');
      app.setReady(false);
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last request finishes: close them as they do.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timeout = setTimeout(() => {
        log.warn('shutdown timeout reached: closing remaining connections');
        server.closeAllConnections();
      }, config.shutdownTimeoutSeconds * 1000);
      timeout.unref();
      await drained;
      clearInterval(sweeper);
      clearTimeout(timeout);
      await app.close();
      log.info('stopped');
    })();
    return closing;
  };
  return { url, app, log, shutdown };
}
