// Starts a real `berth serve` process for end-to-end tests and waits until it listens.
// The server logs one JSON line with msg "listening" and the base URL it serves;
// we read that line instead of guessing a port, so tests can run in parallel.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { administratorKey, loginWithKey, type RegistryLogin } from './registry-login.ts';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const berthMain = join(projectRoot, 'src', 'cli', 'main.ts');
/** The Node flags `npm start` and bin/berth.js run the server with (see package.json). */
export const berthNodeFlags = ['--max-semi-space-size=8'];

export interface BerthProcess {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  /** host:port, what registry clients take as the registry name. */
  readonly hostPort: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Log lines the server has printed so far (parsed JSON where possible). */
  readonly logs: string[];
  /**
   * The administrator's registry login (a GetAuthorizationToken password), fetched once.
   * Over HTTPS the control-plane call trusts the server's own certificate.
   */
  login(): Promise<RegistryLogin>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Extra CLI arguments after `serve`. */
  args?: string[];
  /** Extra Node.js options before the script (e.g. `--import` of a test module). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Reuse a data directory; by default a fresh temp dir that stop() removes. */
  dataDir?: string;
  timeoutMs?: number;
}

export async function startBerth(options: StartOptions = {}): Promise<BerthProcess> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'berth-test-')));
  const child = spawn(
    process.execPath,
    [...berthNodeFlags, ...(options.nodeArgs ?? []), berthMain, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    { env: { ...process.env, BERTH_LOG_LEVEL: 'info', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth did not start in time:\n${logs.join('\n')}`)), options.timeoutMs ?? 20_000);
    const onLine = (line: string) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a JSON line (e.g. the human banner): keep it in logs only
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`berth exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  const hostPort = new URL(url).host;
  let login: Promise<RegistryLogin> | undefined;
  return {
    url,
    hostPort,
    dataDir,
    child,
    logs,
    login() {
      login ??= (async () => {
        const ca = url.startsWith('https:') ? await readFile(serverCertificatePath(options, dataDir)) : undefined;
        return loginWithKey(url, await administratorKey(dataDir), { ca });
      })();
      return login;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      // A process killed by a signal has no exit code but its signalCode: it has exited too.
      const gone = () => child.exitCode !== null || child.signalCode !== null;
      const exited = new Promise<number | null>((resolve) => {
        if (gone()) resolve(child.exitCode);
        else child.once('exit', (code) => resolve(code));
      });
      if (!gone()) child.kill(signal);
      const code = await exited;
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** The certificate an HTTPS server presents: `--tls-cert`, BERTH_TLS_CERT, or the one `--tls-self-signed` made. */
function serverCertificatePath(options: StartOptions, dataDir: string): string {
  const args = options.args ?? [];
  const flag = args.indexOf('--tls-cert');
  if (flag !== -1 && args[flag + 1]) return args[flag + 1]!;
  return options.env?.BERTH_TLS_CERT ?? join(dataDir, 'tls', 'cert.pem');
}
