// Registries under test
// (Berth, a CNCF Distribution launcher, or an external registry), optionally
// behind the recording proxy.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startBerth, berthMain, type BerthProcess } from '../berth-process.ts';
import { basicLogin, type RegistryLogin } from '../registry-login.ts';
import { freePort, makeTempDir, sleep, track } from './process.ts';
import { generateSelfSignedCert } from './tls.ts';
import { httpFetch, type HttpResponse } from './http.ts';
import { formatRequest, startRecordingProxy, type RecordedRequest } from './recording-proxy.ts';

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
  /**
   * What clients log in with: Berth's administrator (a GetAuthorizationToken password),
   * or OCI_USERNAME/OCI_PASSWORD for an external registry; undefined when none is needed.
   */
  login?: RegistryLogin;
  /** Requests seen by the recording proxy (plain HTTP only; empty otherwise). */
  requests: RecordedRequest[];
  recording: boolean;
  /** Server log lines (Berth / Distribution), for diagnostics. */
  logs: string[];
  /** Failed requests and the server log tail, for error messages. */
  diagnostics(): string;
  /** HTTP request straight to the registry (bypassing the proxy), e.g. `/v2/`; logged in when `login` is set. */
  fetch(path: string, options?: { method?: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<HttpResponse>;
  stop(): Promise<void>;
}

interface RegistryBase {
  kind: RegistryKind;
  url: string;
  caPem?: string;
  caPath?: string;
  login?: RegistryLogin;
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
    login: base.login,
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
      const headers = base.login ? { Authorization: base.login.authorization, ...options.headers } : options.headers;
      return httpFetch(direct + path, { ...options, headers, ca: base.caPem, insecure: base.kind === 'external' && !base.caPem });
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
    // Like the OCI conformance suite, OCI_USERNAME/OCI_PASSWORD log in to an external registry.
    const { OCI_USERNAME: username, OCI_PASSWORD: password } = process.env;
    const login = username && password ? basicLogin(username, password) : undefined;
    return wrapRegistry({ kind: 'external', url, caPem, caPath, login, logs: [], async stop() {} }, record);
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
  // Registry auth is on by default: clients log in as the administrator, like a new user would.
  const login = await berth.login().catch(async (error: unknown) => {
    await berth.stop();
    throw error;
  });
  return wrapRegistry(
    {
      kind: 'berth',
      url: berth.url,
      caPem,
      caPath,
      login,
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
