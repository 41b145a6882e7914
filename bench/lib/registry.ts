// A minimal OCI distribution client on node:http, built for throughput:
// keep-alive agents, bodies streamed from the generator in data.ts, pulls hashed
// with node:crypto while the bytes arrive.
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { writeBlobRange, type BlobSpec } from './data.ts';
import { rawGet } from './rawhttp.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class HttpError extends Error {
  readonly status: number;
  constructor(what: string, res: Response) {
    super(`${what}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 500)}`);
    this.status = res.status;
  }
}

export interface ClientOptions {
  /** Extra headers on every request, e.g. Authorization. */
  headers?: OutgoingHttpHeaders;
  maxSockets?: number;
}

type BodySource = Buffer | ((req: http.ClientRequest) => Promise<void>);

export class RegistryClient {
  readonly base: URL;
  readonly agent: http.Agent;
  readonly #headers: OutgoingHttpHeaders;
  /** Redirects followed by pulls so far (the log says whether a pull went to S3). */
  redirectsFollowed = 0;

  constructor(baseUrl: string, options: ClientOptions = {}) {
    this.base = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' });
    this.#headers = options.headers ?? {};
  }

  close(): void {
    this.agent.destroy();
  }

  /** Resolves a (possibly relative) Location header to path+query on this server. */
  pathOf(location: string): string {
    const u = new URL(location, this.base);
    return u.pathname + u.search;
  }

  /**
   * One request. The response body is collected (registry answers are small) unless
   * onData is given, in which case chunks are handed over and body stays empty.
   */
  request(
    method: string,
    path: string,
    headers: OutgoingHttpHeaders = {},
    body?: BodySource,
    onData?: (chunk: Buffer) => void,
  ): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: { ...this.#headers, ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', onData ?? ((c: Buffer) => chunks.push(c)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else body(req).catch((err: unknown) => {
        req.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  async startUpload(repo: string): Promise<string> {
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/`, { 'content-length': '0' });
    if (res.status !== 202 || !res.headers.location) throw new HttpError(`POST upload ${repo}`, res);
    return res.headers.location;
  }

  #withDigest(location: string, digest: string): string {
    const path = this.pathOf(location);
    return `${path}${path.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
  }

  /** POST, then one PUT ?digest= whose body streams the whole blob. */
  async pushMonolithic(repo: string, blob: BlobSpec): Promise<void> {
    const location = await this.startUpload(repo);
    const res = await this.request(
      'PUT',
      this.#withDigest(location, blob.digest),
      { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      (req) => writeBlobRange(req, blob),
    );
    if (res.status !== 201) throw new HttpError(`PUT blob ${repo}`, res);
  }

  /**
   * One PUT of the whole blob to a URL on another host (a presigned S3 URL): what the
   * object store alone takes to receive the bytes. Sends none of the registry headers.
   */
  async putToUrl(url: string, blob: BlobSpec): Promise<void> {
    const target = new URL(url);
    if (target.protocol !== 'http:') throw new Error(`PUT ${target.origin}: the bench client speaks plain HTTP only`);
    const res = await new Promise<Response>((resolve, reject) => {
      const req = http.request(
        target,
        { method: 'PUT', agent: false, headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) } },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) }));
          r.on('error', reject);
        },
      );
      req.on('error', reject);
      writeBlobRange(req, blob).catch((err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))));
    });
    if (res.status !== 200) throw new HttpError(`PUT ${target.origin}${target.pathname}`, res);
  }

  /** POST, PATCH chunks with Content-Range, then PUT ?digest= with no body. */
  async pushChunked(repo: string, blob: BlobSpec, chunkSize: number): Promise<void> {
    let location = await this.startUpload(repo);
    for (let start = 0; start < blob.size; start += chunkSize) {
      const end = Math.min(blob.size, start + chunkSize);
      const res = await this.request(
        'PATCH',
        this.pathOf(location),
        {
          'content-type': 'application/octet-stream',
          'content-length': String(end - start),
          'content-range': `${start}-${end - 1}`,
        },
        (req) => writeBlobRange(req, blob, start, end),
      );
      if (res.status !== 202 || !res.headers.location) throw new HttpError(`PATCH blob ${repo} @${start}`, res);
      location = res.headers.location;
    }
    const res = await this.request('PUT', this.#withDigest(location, blob.digest), { 'content-length': '0' });
    if (res.status !== 201) throw new HttpError(`PUT (close) blob ${repo}`, res);
  }

  /**
   * Single-request push: POST ?digest= with the body. A registry that answers 202
   * does not support it (the spec allows that); we then finish with a PUT, as a
   * client must. Returns whether that fallback was needed.
   */
  async pushSmall(repo: string, data: Buffer, digest: string): Promise<{ fallback: boolean }> {
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(data.length) };
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, headers, data);
    if (res.status === 201) return { fallback: false };
    if (res.status !== 202 || !res.headers.location) throw new HttpError(`POST ?digest= ${repo}`, res);
    const put = await this.request('PUT', this.#withDigest(res.headers.location, digest), headers, data);
    if (put.status !== 201) throw new HttpError(`PUT (after 202) ${repo}`, put);
    return { fallback: true };
  }

  /** POST + PUT of an in-memory blob (configs, fixtures). */
  async pushBuffer(repo: string, data: Buffer, digest: string): Promise<void> {
    const location = await this.startUpload(repo);
    const res = await this.request(
      'PUT',
      this.#withDigest(location, digest),
      { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
      data,
    );
    if (res.status !== 201) throw new HttpError(`PUT blob ${repo}`, res);
  }

  /**
   * GET a blob, hashing it as it streams; throws unless digest and size match.
   * Uses rawGet (one reused read buffer) rather than node:http: see rawhttp.ts.
   * A redirect (a registry on S3 answers 307 with a presigned URL) is followed as a
   * registry client follows it: the Authorization header goes only to this
   * registry, never to another host, whose URL carries its own signature.
   */
  async pullBlob(repo: string, digest: string, expectedSize?: number): Promise<number> {
    const res = await this.#getFollowing(new URL(`/v2/${repo}/blobs/${digest}`, this.base), `GET blob ${repo} ${digest}`, digest);
    if (expectedSize !== undefined && res.bytes !== expectedSize) throw new Error(`GET blob ${repo}: ${res.bytes} bytes, expected ${expectedSize}`);
    return res.bytes;
  }

  /** GET of a URL on any host (a presigned S3 URL), hashed and checked like pullBlob, no registry headers. */
  async getVerified(url: string, digest: string, expectedSize?: number): Promise<number> {
    const res = await this.#getFollowing(new URL(url), `GET ${new URL(url).host}`, digest);
    if (expectedSize !== undefined && res.bytes !== expectedSize) throw new Error(`GET ${url}: ${res.bytes} bytes, expected ${expectedSize}`);
    return res.bytes;
  }

  async #getFollowing(start: URL, what: string, digest: string): Promise<{ bytes: number }> {
    let url = start;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:') throw new Error(`${what}: the bench client speaks plain HTTP only, redirected to ${url.origin}`);
      const sameOrigin = url.origin === this.base.origin;
      const headers: Record<string, string> = {};
      if (sameOrigin) for (const [k, v] of Object.entries(this.#headers)) if (v !== undefined) headers[k] = String(v);
      const hash = createHash('sha256');
      const res = await rawGet(
        { host: url.hostname, port: Number(url.port || 80), path: url.pathname + url.search, headers },
        (chunk) => hash.update(chunk),
      );
      if ([301, 302, 303, 307, 308].includes(res.status) && res.headers.location && hop < 5) {
        url = new URL(res.headers.location, url);
        this.redirectsFollowed++;
        continue;
      }
      if (res.status !== 200) {
        throw new HttpError(`${what}${hop ? ` (after ${hop} redirect${hop > 1 ? 's' : ''}, at ${url.origin})` : ''}`, {
          status: res.status,
          headers: {},
          body: res.errorBody ?? Buffer.alloc(0),
        });
      }
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== digest) throw new Error(`${what}: digest mismatch, expected ${digest}, got ${got} (${res.bodyBytes} bytes)`);
      return { bytes: res.bodyBytes };
    }
  }

  /** The same GET through node:http, kept for bench/client-check.ts. */
  async pullBlobNodeHttp(repo: string, digest: string): Promise<number> {
    const hash = createHash('sha256');
    let n = 0;
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, {}, undefined, (chunk) => {
      hash.update(chunk);
      n += chunk.length;
    });
    if (res.status !== 200) throw new HttpError(`GET blob ${repo} ${digest}`, res);
    if (`sha256:${hash.digest('hex')}` !== digest) throw new Error(`GET blob ${repo}: digest mismatch`);
    return n;
  }

  async putManifest(repo: string, reference: string, body: Buffer, mediaType = OCI_MANIFEST): Promise<string | undefined> {
    const res = await this.request(
      'PUT',
      `/v2/${repo}/manifests/${reference}`,
      { 'content-type': mediaType, 'content-length': String(body.length) },
      body,
    );
    if (res.status !== 201) throw new HttpError(`PUT manifest ${repo}:${reference}`, res);
    const d = res.headers['docker-content-digest'];
    return typeof d === 'string' ? d : undefined;
  }

  async getManifest(repo: string, reference: string, accept = OCI_MANIFEST): Promise<Response> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, { accept });
    if (res.status !== 200) throw new HttpError(`GET manifest ${repo}:${reference}`, res);
    return res;
  }

  /**
   * HEAD of a blob. Distribution on S3 answers it with a 307 to a presigned HEAD URL;
   * that is followed (without this registry's headers) and `redirected` says so.
   */
  async headBlob(repo: string, digest: string): Promise<Response & { redirected: boolean }> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`);
    if (res.status === 307 && res.headers.location) {
      const target = new URL(res.headers.location, this.base);
      const final = await new Promise<Response>((resolve, reject) => {
        const req = http.request(target, { method: 'HEAD', agent: false }, (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.alloc(0) }));
        });
        req.on('error', reject);
        req.end();
      });
      if (final.status !== 200) throw new HttpError(`HEAD blob ${repo} ${digest} (redirected to ${target.origin})`, final);
      return { ...final, redirected: true };
    }
    if (res.status !== 200) throw new HttpError(`HEAD blob ${repo} ${digest}`, res);
    return { ...res, redirected: false };
  }
}
