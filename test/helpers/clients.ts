// Wrappers around real container clients (skopeo, podman, buildah, ctr), a private
// containerd, a CNCF Distribution launcher, and the registry-under-test selector
// used by the end-to-end tests.
//
// Isolation: skopeo/podman/buildah run with a private sandbox directory for every
// piece of state they would otherwise read or write on the host:
//  - env: HOME, TMPDIR, XDG_*, REGISTRY_AUTH_FILE, CONTAINERS_REGISTRIES_CONF,
//    CONTAINERS_CONF, CONTAINERS_STORAGE_CONF point into the sandbox;
//  - storage: --storage-driver vfs --root/--runroot in the sandbox;
//  - when we can (root + unshare), each command runs in its own mount namespace in
//    which the sandbox's directories are bind-mounted over /etc/containers (config,
//    policy.json, certs.d), /var/lib (c/image's blob-info cache), /run (netavark's
//    run dir) and /dev/shm (libpod's lock segment). Nothing leaks to the host.
// Every process we start is tracked by PID and killed on timeout or at exit.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startBerth, berthMain, type BerthProcess } from './berth-process.ts';

// ---------------------------------------------------------------------------
// Process running

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the process (SIGKILL, by PID) after this long. Default DEFAULT_COMMAND_TIMEOUT_MS. */
  timeoutMs?: number;
  input?: string | Buffer;
}

export interface RunResult {
  command: string;
  stdout: string;
  stderr: string;
  code: number;
}

/** A client command that failed; the message carries the command line and its stderr. */
export class ClientError extends Error {
  readonly command: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;

  constructor(command: string, code: number | null, stdout: string, stderr: string, reason?: string) {
    super(
      `command failed (${reason ?? `exit code ${code}`}): ${command}\n--- stderr ---\n${stderr.trim()}` +
        (stdout.trim() ? `\n--- stdout (tail) ---\n${stdout.trim().slice(-2000)}` : ''),
    );
    this.name = 'ClientError';
    this.command = command;
    this.code = code;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/**
 * A client command that takes longer than this is killed and reported as failed
 * (a registry that never answers a request would otherwise hang a client for minutes).
 * Override with BERTH_E2E_COMMAND_TIMEOUT_MS.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = Number(process.env.BERTH_E2E_COMMAND_TIMEOUT_MS ?? 45_000);

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort if a test file dies without running its `after` hooks.
    process.once('exit', () => {
      for (const c of liveChildren) {
        if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    });
  }
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map(quote).join(' ');
}

/** Runs a command to completion; throws ClientError (with stderr) unless it exits 0. */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = commandLine(file, args);
  const spawnOptions: SpawnOptions = {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  };
  const child = spawn(file, [...args], spawnOptions);
  track(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  if (options.input !== undefined) child.stdin!.end(options.input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new ClientError(command, null, '', String(error), `could not start: ${error.message}`));
    });
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  const stdout = Buffer.concat(out).toString('utf8');
  const stderr = Buffer.concat(err).toString('utf8');
  if (timedOut) throw new ClientError(command, code, stdout, stderr, `timed out after ${options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS} ms`);
  if (code !== 0) throw new ClientError(command, code, stdout, stderr);
  return { command, stdout, stderr, code };
}

/** Whether an executable is on PATH. */
export function haveCommand(name: string): boolean {
  const dirs = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin').split(':');
  return [...dirs, '/usr/sbin', '/sbin'].some((dir) => existsSync(join(dir, name)));
}

/** A free TCP port on 127.0.0.1 (bound and released; tiny race, good enough for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

// ---------------------------------------------------------------------------
// TLS material

export interface SelfSignedCert {
  certPath: string;
  keyPath: string;
  certPem: string;
}

/** Generates a self-signed certificate for 127.0.0.1/localhost with openssl. */
export async function generateSelfSignedCert(dir: string): Promise<SelfSignedCert> {
  await mkdir(dir, { recursive: true });
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
    '-addext', 'extendedKeyUsage=serverAuth',
  ]);
  return { certPath, keyPath, certPem: await readFile(certPath, 'utf8') };
}

// ---------------------------------------------------------------------------
// HTTP access to a registry (for assertions: digests, raw manifests, blobs)

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function httpFetch(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; ca?: string; insecure?: boolean } = {},
): Promise<HttpResponse> {
  const target = new URL(url);
  const doRequest = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = doRequest(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(target.protocol === 'https:'
          ? { ca: options.ca, rejectUnauthorized: !options.insecure }
          : {}),
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${options.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

// ---------------------------------------------------------------------------
// Recording proxy: sits in front of a plain-HTTP registry so tests can see
// exactly which requests each client sent (mounts, chunked PATCHes, whole-blob
// PUTs) and, when a client fails, which request failed.

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

// ---------------------------------------------------------------------------
// Registries under test

export type RegistryKind = 'berth' | 'distribution' | 'external';

export interface TestRegistry {
  kind: RegistryKind;
  scheme: 'http' | 'https';
  /** What clients talk to (the recording proxy when there is one). */
  url: string;
  /** host:port clients put in image references. */
  hostPort: string;
  /** PEM of the CA that signs the server certificate (HTTPS only, when known). */
  caPem?: string;
  caPath?: string;
  /** Requests seen by the recording proxy (plain HTTP only; empty otherwise). */
  requests: RecordedRequest[];
  recording: boolean;
  /** Server log lines (Berth / Distribution), for diagnostics. */
  logs: string[];
  /** Failed requests and the server log tail, for error messages. */
  diagnostics(): string;
  /** HTTP request straight to the registry (bypassing the proxy), e.g. `/v2/`. */
  fetch(path: string, options?: { method?: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<HttpResponse>;
  stop(): Promise<void>;
}

interface RegistryBase {
  kind: RegistryKind;
  url: string;
  caPem?: string;
  caPath?: string;
  logs: string[];
  stop(): Promise<void>;
}

async function wrapRegistry(base: RegistryBase, record: boolean): Promise<TestRegistry> {
  const scheme = base.url.startsWith('https:') ? 'https' : 'http';
  const proxy = record && scheme === 'http' ? await startRecordingProxy(base.url) : undefined;
  const clientUrl = proxy?.url ?? base.url;
  const direct = base.url.replace(/\/+$/, '');
  return {
    kind: base.kind,
    scheme,
    url: clientUrl,
    hostPort: new URL(clientUrl).host,
    caPem: base.caPem,
    caPath: base.caPath,
    requests: proxy?.requests ?? [],
    recording: proxy !== undefined,
    logs: base.logs,
    diagnostics() {
      const lines: string[] = [];
      if (proxy) {
        const failed = proxy.requests.filter((r) => r.status >= 400 || r.status === 0);
        lines.push(`--- ${base.kind}: failed requests seen by the proxy (${failed.length} of ${proxy.requests.length}) ---`);
        for (const r of failed.slice(-20)) lines.push(formatRequest(r));
        lines.push('--- last requests ---');
        for (const r of proxy.requests.slice(-12)) lines.push(formatRequest(r));
      }
      lines.push(`--- ${base.kind}: server log tail ---`);
      lines.push(...base.logs.slice(-30));
      return lines.join('\n');
    },
    fetch(path, options = {}) {
      return httpFetch(direct + path, { ...options, ca: base.caPem, insecure: base.kind === 'external' && !base.caPem });
    },
    async stop() {
      await proxy?.stop();
      await base.stop();
    },
  };
}

async function waitForV2(url: string, ca: string | undefined, isAlive: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`registry exited before it answered ${url}/v2/`);
    try {
      const res = await httpFetch(`${url}/v2/`, { ca });
      if (res.status === 200 || res.status === 401) return;
      lastError = `status ${res.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`registry at ${url} not ready after ${timeoutMs} ms: ${lastError}`);
}

export interface DistributionOptions {
  tls?: boolean;
  /** Keep the storage here instead of a fresh temp dir. */
  dataDir?: string;
  /** Log level for the registry (default warn; the access log is always on). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export interface DistributionProcess {
  url: string;
  hostPort: string;
  dir: string;
  caPem?: string;
  caPath?: string;
  logs: string[];
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts CNCF Distribution (`docker-registry serve config.yml`) on a free
 * 127.0.0.1 port with filesystem storage in a temp dir, optionally with TLS
 * (self-signed, from openssl). Reference registry for the e2e tests and the benchmark.
 */
export async function startDistribution(options: DistributionOptions = {}): Promise<DistributionProcess> {
  const dir = await makeTempDir('berth-e2e-distribution-');
  const storage = options.dataDir ?? join(dir, 'storage');
  await mkdir(storage, { recursive: true });
  const cert = options.tls ? await generateSelfSignedCert(join(dir, 'tls')) : undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    const config = [
      'version: 0.1',
      'log:',
      `  level: ${options.logLevel ?? 'warn'}`,
      '  accesslog:',
      '    disabled: false',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(storage)}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  headers:',
      '    X-Content-Type-Options: [nosniff]',
      ...(cert ? ['  tls:', `    certificate: ${JSON.stringify(cert.certPath)}`, `    key: ${JSON.stringify(cert.keyPath)}`] : []),
      '',
    ].join('\n');
    const configPath = join(dir, 'config.yml');
    await writeFile(configPath, config);
    const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const logs: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => logs.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
    const url = `${cert ? 'https' : 'http'}://127.0.0.1:${port}`;
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
    };
    try {
      await waitForV2(url, cert?.certPem, () => child.exitCode === null, 15_000);
    } catch (error) {
      lastError = new Error(`${(error as Error).message}\n${logs.join('\n')}`);
      await stop();
      if (logs.some((l) => l.includes('address already in use'))) continue;
      break;
    }
    return {
      url,
      hostPort: `127.0.0.1:${port}`,
      dir,
      caPem: cert?.certPem,
      caPath: cert?.certPath,
      logs,
      child,
      async stop() {
        await stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

export interface TestRegistryOptions {
  tls: boolean;
  /** Put the recording proxy in front (plain HTTP only). Default true. */
  record?: boolean;
}

/** Which registry the e2e tests target: env BERTH_TEST_REGISTRY_URL, else BERTH_E2E_REGISTRY=berth|distribution (default berth). */
export function registryTarget(): RegistryKind {
  if (process.env.BERTH_TEST_REGISTRY_URL) return 'external';
  const wanted = (process.env.BERTH_E2E_REGISTRY ?? 'berth').toLowerCase();
  if (wanted === 'distribution') return 'distribution';
  if (wanted !== 'berth') throw new Error(`BERTH_E2E_REGISTRY must be berth or distribution, not ${wanted}`);
  return 'berth';
}

/**
 * Starts the registry under test. Returns undefined when the target cannot serve
 * the requested scheme (an external registry serves only the scheme of its URL),
 * so the caller can skip.
 */
export async function startTestRegistry(options: TestRegistryOptions): Promise<TestRegistry | undefined> {
  const record = options.record ?? true;
  const target = registryTarget();
  if (target === 'external') {
    const url = process.env.BERTH_TEST_REGISTRY_URL!.replace(/\/+$/, '');
    if (url.startsWith('https:') !== options.tls) return undefined;
    const caPath = process.env.BERTH_TEST_REGISTRY_CA;
    const caPem = caPath ? await readFile(caPath, 'utf8') : undefined;
    return wrapRegistry({ kind: 'external', url, caPem, caPath, logs: [], async stop() {} }, record);
  }
  if (target === 'distribution') {
    const reg = await startDistribution({ tls: options.tls });
    return wrapRegistry({ kind: 'distribution', url: reg.url, caPem: reg.caPem, caPath: reg.caPath, logs: reg.logs, stop: reg.stop }, record);
  }
  if (!existsSync(berthMain)) {
    throw new Error(`${berthMain} does not exist yet: run the e2e tests with BERTH_E2E_REGISTRY=distribution to use CNCF Distribution`);
  }
  const berth: BerthProcess = await startBerth({ args: options.tls ? ['--tls-self-signed'] : [] });
  let caPem: string | undefined;
  let caPath: string | undefined;
  if (options.tls) {
    caPath = join(berth.dataDir, 'tls', 'cert.pem');
    // Read it now: the data dir goes away at stop(); ToolSandbox.tlsFor writes its own copies.
    caPem = await readFile(caPath, 'utf8');
  }
  if (options.tls !== berth.url.startsWith('https:')) {
    await berth.stop();
    throw new Error(`berth was started ${options.tls ? 'with' : 'without'} TLS but listens on ${berth.url}`);
  }
  return wrapRegistry(
    {
      kind: 'berth',
      url: berth.url,
      caPem,
      caPath,
      logs: berth.logs,
      async stop() {
        await berth.stop();
      },
    },
    record,
  );
}

const RUN_ID = Math.random().toString(16).slice(2, 8);

/**
 * Repository name for a test. A registry we started is empty, so the name is used as is;
 * an external registry (BERTH_TEST_REGISTRY_URL) may hold earlier runs' tags, so the last
 * component gets a per-run suffix.
 */
export function repoName(registry: Pick<TestRegistry, 'kind'>, base: string): string {
  return registry.kind === 'external' ? `${base}-${RUN_ID}` : base;
}

/** Runs fn; if it throws, appends the registry's diagnostics (failed requests, server log) to the error. */
export async function withDiagnostics<T>(registry: TestRegistry, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    err.message += `\n\n${registry.diagnostics()}`;
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Sandbox for the containers/* tools (skopeo, podman, buildah)

let namespaceSupport: boolean | undefined;

async function canUseMountNamespace(probeDir: string): Promise<boolean> {
  if (namespaceSupport !== undefined) return namespaceSupport;
  if (process.env.BERTH_E2E_NO_UNSHARE === '1' || process.getuid?.() !== 0 || !haveCommand('unshare')) {
    namespaceSupport = false;
    return false;
  }
  try {
    await run('unshare', ['-m', '--', 'sh', '-c', 'mount --bind "$0" /var/lib && test -d /var/lib', probeDir], { timeoutMs: 10_000 });
    namespaceSupport = true;
  } catch {
    namespaceSupport = false;
  }
  return namespaceSupport;
}

/** TLS settings of one registry as a client sees it. */
export interface ClientTls {
  /** 'http' for plain HTTP, 'https' for TLS. */
  scheme: 'http' | 'https';
  /** Directory holding ca.crt for this registry (containers/image cert dir layout). */
  certDir?: string;
  caPath?: string;
  /** Don't verify the certificate (also what plain HTTP needs for containers/image). */
  skipVerify?: boolean;
}

const MOUNT_SCRIPT = [
  'set -e',
  'b="$0"',
  'mount --bind "$b/ns/varlib" /var/lib',
  'mount --bind "$b/ns/run" /run',
  'if [ -d /dev/shm ]; then mount --bind "$b/ns/shm" /dev/shm; fi',
  'if [ -d /etc/containers ]; then mount --bind "$b/etc" /etc/containers; fi',
  'exec "$@"',
].join('\n');

export class ToolSandbox {
  readonly dir: string;
  /** A short path for podman/buildah run roots (podman refuses a runroot longer than 50 characters). */
  readonly runDir: string;
  readonly etcDir: string;
  readonly isolatedNamespace: boolean;
  readonly env: NodeJS.ProcessEnv;

  private constructor(dir: string, runDir: string, isolatedNamespace: boolean) {
    this.dir = dir;
    this.runDir = runDir;
    this.etcDir = join(dir, 'etc');
    this.isolatedNamespace = isolatedNamespace;
    const home = join(dir, 'home');
    this.env = {
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      LANG: 'C.UTF-8',
      HOME: home,
      TMPDIR: join(dir, 'tmp'),
      XDG_RUNTIME_DIR: join(dir, 'xdg-run'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
      CONTAINERS_REGISTRIES_CONF: join(dir, 'etc', 'registries.conf'),
      CONTAINERS_CONF: join(dir, 'etc', 'containers.conf'),
      CONTAINERS_STORAGE_CONF: join(dir, 'etc', 'storage.conf'),
      NO_PROXY: '*',
      no_proxy: '*',
    };
  }

  static async create(): Promise<ToolSandbox> {
    const dir = await makeTempDir('berth-e2e-tools-');
    for (const sub of [
      'etc/registries.d', 'etc/certs.d', 'home/.config', 'tmp', 'xdg-run', 'storage/root',
      'ns/varlib', 'ns/run', 'ns/shm', 'certs',
    ]) {
      await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    }
    const etc = join(dir, 'etc');
    const runDir = await mkdtemp(join(tmpdir().length <= 16 ? tmpdir() : '/tmp', 'bpr-'));
    await writeFile(join(etc, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await writeFile(join(etc, 'registries.conf'), 'unqualified-search-registries = []\nshort-name-mode = "disabled"\n');
    await writeFile(
      join(etc, 'containers.conf'),
      ['[engine]', 'events_logger = "none"', 'cgroup_manager = "cgroupfs"', `tmp_dir = ${JSON.stringify(join(dir, 'libpod-tmp'))}`, ''].join('\n'),
    );
    await writeFile(
      join(etc, 'storage.conf'),
      [
        '[storage]',
        'driver = "vfs"',
        `graphroot = ${JSON.stringify(join(dir, 'storage', 'root'))}`,
        `runroot = ${JSON.stringify(join(runDir, 'default'))}`,
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'auth.json'), '{}');
    // The namespace hides /run, /var/lib and /etc/containers: only usable if the sandbox lives elsewhere.
    const hidden = ['/run/', '/var/lib/', '/etc/containers/', '/dev/shm/'];
    const sandboxVisible = ![dir, runDir].some((path) => hidden.some((prefix) => `${path}/`.startsWith(prefix)));
    return new ToolSandbox(dir, runDir, sandboxVisible && (await canUseMountNamespace(join(dir, 'ns', 'varlib'))));
  }

  /** Path of the policy file (also passed explicitly to skopeo). */
  get policyPath(): string {
    return join(this.etcDir, 'policy.json');
  }

  get registriesDir(): string {
    return join(this.etcDir, 'registries.d');
  }

  /** How clients in this sandbox should talk to `registry`; installs its CA (certs.d/<host:port>/ca.crt). */
  async tlsFor(registry: Pick<TestRegistry, 'scheme' | 'hostPort' | 'caPem' | 'caPath'>): Promise<ClientTls> {
    if (registry.scheme === 'http') return { scheme: 'http', skipVerify: true };
    if (!registry.caPem) return { scheme: 'https', skipVerify: true };
    const hostDir = join(this.etcDir, 'certs.d', registry.hostPort);
    await mkdir(hostDir, { recursive: true });
    await writeFile(join(hostDir, 'ca.crt'), registry.caPem);
    // A standalone copy for tools that want a file path (ctr --tlscacert).
    const caPath = join(this.dir, 'certs', `${registry.hostPort.replace(/[^\w.-]/g, '_')}.crt`);
    await writeFile(caPath, registry.caPem);
    return { scheme: 'https', certDir: hostDir, caPath };
  }

  /** Runs a containers/* tool inside the sandbox (own mount namespace when possible). */
  async run(file: string, args: readonly string[], options: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
    const env = { ...this.env };
    let result: RunResult;
    try {
      if (this.isolatedNamespace) {
        result = await run('unshare', ['-m', '--', 'sh', '-c', MOUNT_SCRIPT, this.dir, file, ...args], { ...options, env });
      } else {
        result = await run(file, args, { ...options, env });
      }
    } catch (error) {
      if (error instanceof ClientError && this.isolatedNamespace) {
        // report the tool's own command line, not the namespace wrapper
        throw new ClientError(commandLine(file, args), error.code, error.stdout, error.stderr);
      }
      throw error;
    }
    return { ...result, command: commandLine(file, args) };
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await rm(this.runDir, { recursive: true, force: true });
  }
}

function tlsVerifyFlag(prefix: string, tls: ClientTls): string[] {
  // containers/image: plain HTTP needs tls-verify=false (it then falls back to http://).
  if (tls.scheme === 'http' || tls.skipVerify) return [`--${prefix}tls-verify=false`];
  const flags = [`--${prefix}tls-verify=true`];
  if (tls.certDir) flags.push(`--${prefix}cert-dir`, tls.certDir);
  return flags;
}

// ---------------------------------------------------------------------------
// skopeo

export class Skopeo {
  readonly sandbox: ToolSandbox;

  constructor(sandbox: ToolSandbox) {
    this.sandbox = sandbox;
  }

  private globalArgs(): string[] {
    return ['--policy', this.sandbox.policyPath, '--registries.d', this.sandbox.registriesDir];
  }

  async raw(args: readonly string[]): Promise<RunResult> {
    return this.sandbox.run('skopeo', [...this.globalArgs(), ...args]);
  }

  /**
   * skopeo copy SRC DEST. `srcTls`/`destTls` are needed for docker:// references.
   * preserveDigests (default true) makes skopeo fail rather than rewrite a manifest.
   */
  async copy(
    src: string,
    dest: string,
    options: { srcTls?: ClientTls; destTls?: ClientTls; all?: boolean; preserveDigests?: boolean; extra?: string[] } = {},
  ): Promise<RunResult> {
    const args = ['copy'];
    if (options.all) args.push('--all');
    if (options.preserveDigests ?? true) args.push('--preserve-digests');
    if (options.srcTls) args.push(...tlsVerifyFlag('src-', options.srcTls));
    if (options.destTls) args.push(...tlsVerifyFlag('dest-', options.destTls));
    args.push(...(options.extra ?? []), src, dest);
    return this.raw(args);
  }

  /** skopeo inspect --raw: the manifest bytes exactly as served. */
  async inspectRaw(ref: string, tls?: ClientTls): Promise<Buffer> {
    const args = ['inspect', '--raw'];
    if (tls) args.push(...tlsVerifyFlag('', tls));
    args.push(ref);
    const result = await this.raw(args);
    return Buffer.from(result.stdout, 'utf8');
  }

  async inspect(ref: string, tls?: ClientTls, extra: string[] = []): Promise<{ Digest: string; Layers?: string[]; Architecture?: string; Os?: string; Labels?: Record<string, string> }> {
    const args = [...extra, 'inspect'];
    if (tls) args.push(...tlsVerifyFlag('', tls));
    args.push(ref);
    const result = await this.raw(args);
    return JSON.parse(result.stdout) as { Digest: string; Layers?: string[] };
  }

  async listTags(repoRef: string, tls?: ClientTls): Promise<string[]> {
    const args = ['list-tags'];
    if (tls) args.push(...tlsVerifyFlag('', tls));
    args.push(repoRef);
    const result = await this.raw(args);
    return (JSON.parse(result.stdout) as { Tags: string[] }).Tags;
  }
}

// ---------------------------------------------------------------------------
// podman

export class Podman {
  readonly sandbox: ToolSandbox;
  readonly store: string;
  readonly root: string;
  readonly runroot: string;

  /** `store` names a separate image store inside the sandbox (for "pull into a fresh store"). */
  constructor(sandbox: ToolSandbox, store = 'podman') {
    this.sandbox = sandbox;
    this.store = store;
    this.root = join(sandbox.dir, 'storage', store, 'root');
    this.runroot = join(sandbox.runDir, store);
  }

  async raw(args: readonly string[]): Promise<RunResult> {
    await mkdir(this.root, { recursive: true });
    await mkdir(this.runroot, { recursive: true });
    return this.sandbox.run('podman', [
      '--root', this.root,
      '--runroot', this.runroot,
      '--storage-driver', 'vfs',
      '--tmpdir', join(this.sandbox.dir, 'storage', this.store, 'libpod-tmp'),
      '--cgroup-manager', 'cgroupfs',
      '--events-backend', 'none',
      ...args,
    ]);
  }

  async pull(ref: string, tls: ClientTls, extra: string[] = []): Promise<string> {
    const result = await this.raw(['pull', '--quiet', ...tlsVerifyFlag('', tls), ...extra, ref]);
    return result.stdout.trim(); // image ID
  }

  async tag(src: string, dest: string): Promise<void> {
    await this.raw(['tag', src, dest]);
  }

  /** Pushes and returns the manifest digest podman wrote (--digestfile). */
  async push(src: string, dest: string, tls: ClientTls, extra: string[] = []): Promise<string> {
    const digestFile = join(this.sandbox.dir, 'tmp', `podman-digest-${Date.now()}-${Math.random().toString(16).slice(2)}`);
    await this.raw(['push', ...tlsVerifyFlag('', tls), '--digestfile', digestFile, ...extra, src, dest]);
    return (await readFile(digestFile, 'utf8')).trim();
  }

  async inspect(ref: string): Promise<{ Id: string; Digest: string; RepoDigests: string[]; Architecture: string; Os: string }> {
    const result = await this.raw(['image', 'inspect', ref]);
    const list = JSON.parse(result.stdout) as { Id: string; Digest: string; RepoDigests: string[]; Architecture: string; Os: string }[];
    if (!list[0]) throw new Error(`podman image inspect ${ref}: no result`);
    return list[0];
  }

  async rmi(...refs: string[]): Promise<void> {
    await this.raw(['rmi', '--force', ...refs]);
  }
}

// ---------------------------------------------------------------------------
// buildah

export class Buildah {
  readonly sandbox: ToolSandbox;
  readonly root: string;
  readonly runroot: string;

  constructor(sandbox: ToolSandbox, store = 'buildah') {
    this.sandbox = sandbox;
    this.root = join(sandbox.dir, 'storage', store, 'root');
    this.runroot = join(sandbox.runDir, store);
  }

  async raw(args: readonly string[]): Promise<RunResult> {
    await mkdir(this.root, { recursive: true });
    await mkdir(this.runroot, { recursive: true });
    return this.sandbox.run('buildah', ['--root', this.root, '--runroot', this.runroot, '--storage-driver', 'vfs', ...args]);
  }

  /** `buildah from scratch`; returns the working container's name. */
  async fromScratch(name?: string): Promise<string> {
    const result = await this.raw(['from', ...(name ? ['--name', name] : []), 'scratch']);
    return result.stdout.trim().split('\n').pop()!.trim();
  }

  async copy(container: string, src: string, dest: string): Promise<void> {
    await this.raw(['copy', container, src, dest]);
  }

  async config(container: string, args: string[]): Promise<void> {
    await this.raw(['config', ...args, container]);
  }

  /** Commits and returns the image ID. */
  async commit(container: string, image: string, extra: string[] = []): Promise<string> {
    const result = await this.raw(['commit', '--quiet', ...extra, container, image]);
    return result.stdout.trim().split('\n').pop()!.trim();
  }

  /** Pushes and returns the manifest digest buildah wrote (--digestfile). */
  async push(image: string, dest: string, tls: ClientTls, extra: string[] = []): Promise<string> {
    const digestFile = join(this.sandbox.dir, 'tmp', `buildah-digest-${Date.now()}-${Math.random().toString(16).slice(2)}`);
    await this.raw(['push', ...tlsVerifyFlag('', tls), '--digestfile', digestFile, ...extra, image, dest]);
    return (await readFile(digestFile, 'utf8')).trim();
  }

  async pull(ref: string, tls: ClientTls): Promise<string> {
    const result = await this.raw(['pull', '--quiet', ...tlsVerifyFlag('', tls), ref]);
    return result.stdout.trim().split('\n').pop()!.trim();
  }

  async inspectImage(ref: string): Promise<{ FromImageID: string; FromImageDigest: string; OCIv1: { config?: { Labels?: Record<string, string> } } }> {
    const result = await this.raw(['inspect', '--type', 'image', ref]);
    return JSON.parse(result.stdout) as { FromImageID: string; FromImageDigest: string; OCIv1: { config?: { Labels?: Record<string, string> } } };
  }

  async rm(container: string): Promise<void> {
    await this.raw(['rm', container]);
  }
}

// ---------------------------------------------------------------------------
// containerd + ctr

export interface CtrImage {
  ref: string;
  type: string;
  digest: string;
  platforms: string;
}

export class Containerd {
  readonly dir: string;
  readonly socket: string;
  readonly namespace: string;
  readonly logs: string[];
  readonly child: ChildProcess;

  private constructor(dir: string, child: ChildProcess, logs: string[]) {
    this.dir = dir;
    this.socket = join(dir, 'containerd.sock');
    this.namespace = 'berth-e2e';
    this.child = child;
    this.logs = logs;
  }

  /** Starts a private containerd: own config, root, state, temp dir and socket under a temp dir. */
  static async start(): Promise<Containerd> {
    const dir = await makeTempDir('berth-e2e-containerd-');
    const socket = join(dir, 'containerd.sock');
    for (const sub of ['root', 'state', 'tmp', 'opt']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    const config = [
      'version = 2',
      `root = ${JSON.stringify(join(dir, 'root'))}`,
      `state = ${JSON.stringify(join(dir, 'state'))}`,
      `temp = ${JSON.stringify(join(dir, 'tmp'))}`,
      'plugin_dir = ""',
      'disabled_plugins = [',
      '  "io.containerd.grpc.v1.cri",',
      '  "io.containerd.snapshotter.v1.aufs",',
      '  "io.containerd.snapshotter.v1.btrfs",',
      '  "io.containerd.snapshotter.v1.zfs",',
      '  "io.containerd.snapshotter.v1.devmapper",',
      '  "io.containerd.internal.v1.tracing",',
      '  "io.containerd.tracing.processor.v1.otlp",',
      ']',
      '',
      '[grpc]',
      `  address = ${JSON.stringify(socket)}`,
      '',
      '[ttrpc]',
      `  address = ${JSON.stringify(socket + '.ttrpc')}`,
      '',
      '[debug]',
      '  level = "info"',
      '',
      '[metrics]',
      '  address = ""',
      '',
      '[plugins]',
      '  [plugins."io.containerd.internal.v1.opt"]',
      `    path = ${JSON.stringify(join(dir, 'opt'))}`,
      '',
    ].join('\n');
    const configPath = join(dir, 'config.toml');
    await writeFile(configPath, config);
    const child = spawn('containerd', ['--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: dir, TMPDIR: join(dir, 'tmp'), NO_PROXY: '*', no_proxy: '*' },
    });
    track(child);
    const logs: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => logs.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
    const containerd = new Containerd(dir, child, logs);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`containerd exited early:\n${logs.slice(-30).join('\n')}`);
      }
      if (existsSync(socket) && (await socketAccepts(socket))) {
        try {
          await containerd.ctr(['version']);
          break;
        } catch {
          // not serving yet
        }
      }
      if (Date.now() > deadline) {
        await containerd.stop();
        throw new Error(`containerd did not start in time:\n${logs.slice(-30).join('\n')}`);
      }
      await sleep(100);
    }
    return containerd;
  }

  async ctr(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return run('ctr', ['--address', this.socket, '--namespace', this.namespace, ...args], {
      env: { PATH: process.env.PATH, HOME: this.dir, TMPDIR: join(this.dir, 'tmp'), NO_PROXY: '*', no_proxy: '*' },
      ...options,
    });
  }

  /**
   * Registry flags for ctr. Plain HTTP: --plain-http. HTTPS: a hosts.toml in a private
   * --hosts-dir (server = https://host:port, ca = ... or skip_verify) because ctr 1.6,
   * given only --tlscacert or --skip-verify, talks plain HTTP to loopback hosts.
   */
  async registryFlags(ref: string, tls: ClientTls): Promise<string[]> {
    if (tls.scheme === 'http') return ['--plain-http'];
    const hostPort = ref.split('/')[0]!;
    const hostsDir = join(this.dir, 'hosts.d');
    await mkdir(join(hostsDir, hostPort), { recursive: true });
    const server = `https://${hostPort}`;
    const hostConfig =
      tls.skipVerify || !tls.caPath ? 'skip_verify = true' : `ca = ${JSON.stringify(tls.caPath)}`;
    await writeFile(
      join(hostsDir, hostPort, 'hosts.toml'),
      [`server = ${JSON.stringify(server)}`, '', `[host.${JSON.stringify(server)}]`, '  capabilities = ["pull", "resolve", "push"]', `  ${hostConfig}`, ''].join('\n'),
    );
    return ['--hosts-dir', hostsDir];
  }

  /** ctr images pull; ctr 1.6 always unpacks, here into the native snapshotter. */
  async pull(ref: string, tls: ClientTls, options: { allPlatforms?: boolean; platform?: string } = {}): Promise<RunResult> {
    const args = ['images', 'pull', ...(await this.registryFlags(ref, tls)), '--snapshotter', 'native'];
    if (options.allPlatforms) args.push('--all-platforms');
    if (options.platform) args.push('--platform', options.platform);
    args.push(ref);
    return this.ctr(args);
  }

  async push(ref: string, tls: ClientTls, local?: string): Promise<RunResult> {
    return this.ctr(['images', 'push', ...(await this.registryFlags(ref, tls)), ref, ...(local ? [local] : [])]);
  }

  async tag(src: string, dest: string): Promise<void> {
    await this.ctr(['images', 'tag', '--force', src, dest]);
  }

  async importArchive(tarPath: string, baseName: string, options: { allPlatforms?: boolean } = {}): Promise<RunResult> {
    return this.ctr([
      'images', 'import', '--no-unpack', '--base-name', baseName,
      ...(options.allPlatforms ? ['--all-platforms'] : []),
      tarPath,
    ]);
  }

  async images(): Promise<CtrImage[]> {
    const result = await this.ctr(['images', 'ls']);
    const lines = result.stdout.trim().split('\n').slice(1);
    return lines
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length >= 5)
      .map((cols) => ({ ref: cols[0]!, type: cols[1]!, digest: cols[2]!, platforms: cols[cols.length - 2]! }));
  }

  async imageDigest(ref: string): Promise<string> {
    const found = (await this.images()).find((img) => img.ref === ref);
    if (!found) throw new Error(`ctr: no image ${ref}`);
    return found.digest;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------
// Small helpers for assertions

/** Docker-Content-Digest (and the sha256 of the body) of a manifest as the registry serves it. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export async function getManifest(registry: TestRegistry, repo: string, reference: string): Promise<HttpResponse> {
  const res = await registry.fetch(`/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
  if (res.status !== 200) {
    throw new Error(`GET /v2/${repo}/manifests/${reference} -> ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
  }
  return res;
}

export async function getBlob(registry: TestRegistry, repo: string, digest: string): Promise<Buffer> {
  let res = await registry.fetch(`/v2/${repo}/blobs/${digest}`);
  // Registries may redirect blob downloads (e.g. to object storage); follow one hop on loopback.
  if ((res.status === 307 || res.status === 302) && typeof res.headers.location === 'string') {
    const location = new URL(res.headers.location, registry.url);
    res = await httpFetch(location.toString(), { ca: registry.caPem });
  }
  if (res.status !== 200) throw new Error(`GET /v2/${repo}/blobs/${digest} -> ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
  return res.body;
}

/** Starts nothing, just says which clients are missing (tests skip when a binary isn't installed). */
export function missingTools(...names: string[]): string[] {
  const missing = names.filter((name) => !haveCommand(name));
  // On a developer machine a missing client skips its suite with the reason; in CI,
  // which installs them all (.ci/run), a missing client is a failure, never a skip.
  if (missing.length > 0 && process.env.CI) throw new Error(`CI must install these clients: ${missing.join(', ')}`);
  return missing;
}

export type { BerthProcess };
export { sleep };
