// Shared plumbing for the OCI distribution conformance suite: where the registry is,
// a small HTTP client that remembers each exchange, and assertions whose failure
// messages show the full request and response.
//
// Registry under test: $BERTH_TEST_REGISTRY_URL when set (any OCI registry), otherwise
// a fresh `berth serve` started for the test file and stopped afterwards.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBerth } from '../helpers/berth-process.ts';
import { basicLogin } from '../helpers/registry-login.ts';
import { nextLink } from '../helpers/oci-conformance-fixtures.ts';
import type { Blob, ManifestDoc, ImageFixture } from '../helpers/oci-conformance-fixtures.ts';

export interface Exchange {
  readonly method: string;
  readonly url: URL;
  readonly requestHeaders: Record<string, string>;
  readonly requestBodyLength: number | undefined;
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
  /** Set when the response body could not be read completely (e.g. connection closed early). */
  readonly bodyError: string | undefined;
  text(): string;
  json<T = unknown>(): T;
}

export type RequestBody = Uint8Array | string | ReadableStream<Uint8Array>;

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: RequestBody;
  query?: Record<string, string | undefined>;
}

export class RegistryClient {
  readonly baseUrl: string;
  /** Authorization header value sent with every request unless the request sets its own. */
  readonly authorization: string | undefined;

  constructor(baseUrl: string, authorization?: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.authorization = authorization;
  }

  /** Resolves a path or a Location header value (absolute or relative) against the registry. */
  resolve(pathOrUrl: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(pathOrUrl, `${this.baseUrl}/`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
    return url;
  }

  async request(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<Exchange> {
    const url = this.resolve(pathOrUrl, options.query);
    // identity: we compare lengths and bytes, so no transparent compression
    const requestHeaders: Record<string, string> = {
      'accept-encoding': 'identity',
      ...(this.authorization ? { authorization: this.authorization } : {}),
      ...lowerKeys(options.headers ?? {}),
    };
    const body = typeof options.body === 'string' ? new TextEncoder().encode(options.body) : options.body;
    const init: RequestInit & { duplex?: 'half' } = { method, headers: requestHeaders, redirect: 'follow' };
    if (body !== undefined) {
      init.body = body as RequestInit['body'];
      if (body instanceof ReadableStream) init.duplex = 'half';
    }
    // A registry that never answers must fail the test at this request, not stall the run.
    init.signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new Error(`${method} ${url.pathname}${url.search} failed: ${describeFetchError(error)}`, { cause: error });
    }
    let bytes = new Uint8Array(0);
    let bodyError: string | undefined;
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      bodyError = describeFetchError(error);
    }
    const requestBodyLength = body instanceof Uint8Array ? body.byteLength : body === undefined ? 0 : undefined;
    return {
      method,
      url,
      requestHeaders,
      requestBodyLength,
      status: response.status,
      headers: response.headers,
      body: bytes,
      bodyError,
      text: () => new TextDecoder().decode(bytes),
      json: <T>() => JSON.parse(new TextDecoder().decode(bytes)) as T,
    };
  }

  get(path: string, options?: RequestOptions): Promise<Exchange> {
    return this.request('GET', path, options);
  }

  head(path: string, options?: RequestOptions): Promise<Exchange> {
    return this.request('HEAD', path, options);
  }
}

const REQUEST_TIMEOUT_MS = Number(process.env.BERTH_TEST_REQUEST_TIMEOUT_MS ?? 30_000);

function describeFetchError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: { message?: string; code?: string } };
  if (err.name === 'TimeoutError') return `no complete response within ${REQUEST_TIMEOUT_MS} ms`;
  const cause = err.cause?.message ?? err.cause?.code;
  return `${err.message ?? String(error)}${cause ? ` (${cause})` : ''}`;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

/** A human-readable dump of one exchange, used as the message of every failed assertion. */
export function describeExchange(ex: Exchange): string {
  const requestLine = `${ex.method} ${ex.url.pathname}${ex.url.search}`;
  const reqHeaders = Object.entries(ex.requestHeaders)
    .filter(([key]) => key !== 'accept-encoding' && key !== 'authorization')
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
  const respHeaders: string[] = [];
  ex.headers.forEach((value, key) => {
    if (key !== 'date' && key !== 'connection' && key !== 'keep-alive') respHeaders.push(`${key}: ${value}`);
  });
  let body = ex.text();
  if (/[\u0000-\u0008\u000e-\u001f]/.test(body)) body = `<${ex.body.byteLength} binary bytes>`;
  else if (body.length > 600) body = `${body.slice(0, 600)}… (${ex.body.byteLength} bytes)`;
  return [
    `request:  ${requestLine}${reqHeaders ? ` [${reqHeaders}]` : ''}${ex.requestBodyLength ? ` body ${ex.requestBodyLength} bytes` : ''}`,
    `response: ${ex.status} [${respHeaders.join(', ')}]`,
    `body:     ${body || '<empty>'}${ex.bodyError ? ` [body read failed: ${ex.bodyError}]` : ''}`,
  ].join('\n');
}

export function expectStatus(ex: Exchange, ...expected: number[]): void {
  assert.ok(expected.includes(ex.status), `expected status ${expected.join(' or ')}, got ${ex.status}\n${describeExchange(ex)}`);
  // A response whose body does not match its framing (Content-Length) is broken HTTP.
  assert.equal(ex.bodyError, undefined, `the response body could not be read completely\n${describeExchange(ex)}`);
}

/** Asserts the header is present and non-empty; returns its value. */
export function expectHeader(ex: Exchange, name: string): string {
  const value = ex.headers.get(name);
  assert.ok(value !== null && value !== '', `expected response header ${name}\n${describeExchange(ex)}`);
  return value;
}

export function expectHeaderEquals(ex: Exchange, name: string, expected: string): void {
  const value = ex.headers.get(name);
  assert.equal(value, expected, `expected header ${name}: ${expected}, got ${value === null ? '<absent>' : value}\n${describeExchange(ex)}`);
}

export function expectBodyEquals(ex: Exchange, expected: Uint8Array): void {
  assert.ok(
    Buffer.from(ex.body).equals(Buffer.from(expected)),
    `response body (${ex.body.byteLength} bytes) differs from the expected ${expected.byteLength} bytes\n${describeExchange(ex)}`,
  );
}

export function expectEmptyBody(ex: Exchange): void {
  assert.equal(ex.body.byteLength, 0, `expected an empty body\n${describeExchange(ex)}`);
}

export interface ErrorEntry {
  code: string;
  message?: unknown;
  detail?: unknown;
}

/**
 * Asserts the OCI error envelope {"errors":[{"code","message","detail"}]} with one of the
 * given codes, and (unless HEAD) that every entry is well formed.
 */
export function expectError(ex: Exchange, statuses: number | number[], codes: string | string[]): ErrorEntry[] {
  const statusList = Array.isArray(statuses) ? statuses : [statuses];
  const codeList = Array.isArray(codes) ? codes : [codes];
  expectStatus(ex, ...statusList);
  let parsed: unknown;
  try {
    parsed = ex.json();
  } catch {
    assert.fail(`expected a JSON error body with code ${codeList.join(' or ')}\n${describeExchange(ex)}`);
  }
  const errors = (parsed as { errors?: unknown }).errors;
  assert.ok(Array.isArray(errors) && errors.length > 0, `expected a non-empty "errors" array\n${describeExchange(ex)}`);
  for (const entry of errors as ErrorEntry[]) {
    assert.ok(typeof entry === 'object' && entry !== null, `error entries must be objects\n${describeExchange(ex)}`);
    assert.match(String(entry.code), /^[A-Z_]+$/, `error code must be uppercase letters and underscores\n${describeExchange(ex)}`);
    if (entry.message !== undefined) assert.equal(typeof entry.message, 'string', `error message must be a string\n${describeExchange(ex)}`);
  }
  const found = (errors as ErrorEntry[]).map((entry) => entry.code);
  assert.ok(
    found.some((code) => codeList.includes(code)),
    `expected error code ${codeList.join(' or ')}, got ${found.join(', ')}\n${describeExchange(ex)}`,
  );
  return errors as ErrorEntry[];
}

/** Registers before/after hooks for the current file and returns a getter for the client. */
export function useRegistry(): () => RegistryClient {
  let client: RegistryClient | undefined;
  let stop: (() => Promise<unknown>) | undefined;
  before(async () => {
    // Like the spec's conformance suite: OCI_USERNAME/OCI_PASSWORD log in to an external registry.
    const external = process.env.BERTH_TEST_REGISTRY_URL;
    if (external) {
      const { OCI_USERNAME: username, OCI_PASSWORD: password } = process.env;
      client = new RegistryClient(external, username && password ? basicLogin(username, password).authorization : undefined);
    } else {
      const berth = await startBerth();
      stop = () => berth.stop();
      client = new RegistryClient(berth.url, (await berth.login()).authorization);
    }
  });
  after(async () => {
    await stop?.();
  });
  return () => {
    assert.ok(client, 'registry not started (before hook failed)');
    return client;
  };
}

// ---------------------------------------------------------------------------------------
// Workflow helpers. Each one asserts its own steps so a broken setup fails loudly, at the
// request that broke, instead of surfacing as a confusing failure further down.

/** POST /v2/<name>/blobs/uploads/ expecting 202 + Location; returns the absolute upload URL. */
export async function startUpload(client: RegistryClient, repo: string): Promise<{ location: string; exchange: Exchange }> {
  const exchange = await client.request('POST', `/v2/${repo}/blobs/uploads/`);
  expectStatus(exchange, 202);
  const location = expectHeader(exchange, 'location');
  return { location: client.resolve(location).href, exchange };
}

/** POST then PUT ?digest= (the monolithic upload every registry must support). */
export async function pushBlob(client: RegistryClient, repo: string, blob: Blob): Promise<Exchange> {
  const { location } = await startUpload(client, repo);
  const put = await client.request('PUT', location, {
    query: { digest: blob.digest },
    headers: { 'content-type': 'application/octet-stream' },
    body: blob.bytes,
  });
  expectStatus(put, 201);
  return put;
}

export async function putManifest(client: RegistryClient, repo: string, reference: string, doc: ManifestDoc, contentType = doc.mediaType): Promise<Exchange> {
  return client.request('PUT', `/v2/${repo}/manifests/${reference}`, { headers: { 'content-type': contentType }, body: doc.bytes });
}

export async function pushManifest(client: RegistryClient, repo: string, reference: string, doc: ManifestDoc): Promise<Exchange> {
  const put = await putManifest(client, repo, reference, doc);
  expectStatus(put, 201);
  return put;
}

/** Pushes config, layers and manifest (by tag when given, else by digest). */
export async function pushImage(client: RegistryClient, repo: string, image: ImageFixture, tag?: string): Promise<Exchange> {
  await pushBlob(client, repo, image.config);
  for (const layer of image.layers) await pushBlob(client, repo, layer);
  return pushManifest(client, repo, tag ?? image.manifest.digest, image.manifest);
}

/** Fetches every page of a paginated list by following Link rel="next" (bounded). */
export async function followPages<T>(
  client: RegistryClient,
  firstPath: string,
  pick: (page: Exchange) => T[],
  maxPages = 200,
): Promise<{ items: T[]; pages: Exchange[] }> {
  const items: T[] = [];
  const pages: Exchange[] = [];
  let path: string | undefined = firstPath;
  while (path !== undefined) {
    assert.ok(pages.length < maxPages, `pagination did not end after ${maxPages} pages (last: ${path})`);
    const page = await client.get(path);
    expectStatus(page, 200);
    pages.push(page);
    items.push(...pick(page));
    path = nextLink(page.headers.get('link'));
  }
  return { items, pages };
}
