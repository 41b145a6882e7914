// Recording proxy: sits in front of a plain-HTTP registry so tests can see
// exactly which requests each client sent (mounts, chunked PATCHes, whole-blob
// PUTs) and, when a client fails, which request failed.

import { createServer as createHttpServer, request as httpRequest } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  userAgent?: string;
  contentLength?: string;
  transferEncoding?: string;
  contentType?: string;
  /** Bytes of request body the proxy forwarded. */
  bodyBytes: number;
  location?: string;
  /** Response body, when it was a small error (status >= 400). */
  errorBody?: string;
}

export interface RecordingProxy {
  url: string;
  hostPort: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  if (target.protocol !== 'http:') throw new Error('the recording proxy only fronts plain-HTTP registries');
  const requests: RecordedRequest[] = [];
  const server = createHttpServer((req, res) => {
    const record: RecordedRequest = {
      method: req.method ?? '?',
      path: req.url ?? '?',
      status: 0,
      userAgent: req.headers['user-agent'],
      contentLength: req.headers['content-length'],
      transferEncoding: req.headers['transfer-encoding'],
      contentType: req.headers['content-type'],
      bodyBytes: 0,
    };
    requests.push(record);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const upstreamReq = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false },
      (upstreamRes) => {
        record.status = upstreamRes.statusCode ?? 0;
        const location = upstreamRes.headers.location;
        if (location) record.location = location;
        const outHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstreamRes.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) outHeaders[name] = value;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, outHeaders);
        if (record.status >= 400) {
          const chunks: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => {
            if (chunks.length < 16) chunks.push(chunk);
          });
          upstreamRes.on('end', () => {
            record.errorBody = Buffer.concat(chunks).toString('utf8').slice(0, 2000);
          });
        }
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on('error', (error) => {
      record.status = 502;
      record.errorBody = `proxy: upstream error: ${error.message}`;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(record.errorBody);
    });
    req.on('data', (chunk: Buffer) => {
      record.bodyBytes += chunk.length;
    });
    req.pipe(upstreamReq);
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function formatRequest(r: RecordedRequest): string {
  const parts = [`${r.method} ${r.path} -> ${r.status === 0 ? 'NO RESPONSE (yet)' : r.status}`];
  if (r.userAgent) parts.push(`ua=${r.userAgent}`);
  if (r.contentLength !== undefined) parts.push(`content-length=${r.contentLength}`);
  if (r.transferEncoding) parts.push(`transfer-encoding=${r.transferEncoding}`);
  if (r.contentType) parts.push(`content-type=${r.contentType}`);
  if (r.bodyBytes) parts.push(`body=${r.bodyBytes}B`);
  if (r.errorBody) parts.push(`error-body=${r.errorBody.replace(/\s+/g, ' ').trim()}`);
  return parts.join(' ');
}
