// A throwaway PostgreSQL server for tests: Debian's binaries (package `postgresql`,
// installed by .ci/run), a fresh cluster in a temp directory, on a free port of
// 127.0.0.1, with password authentication (so URLs carry a password, as real ones do)
// and no Unix socket. One server per test file; each test suite asks it for a new
// database. PostgreSQL refuses to run as root, so as root (CI) initdb and postgres run
// as the `postgres` system user through setpriv, in a temp directory that user owns.
// The server is stopped by its PID (postgres itself: setpriv execs it), and killed at
// exit if a test file dies first.
//
// The cluster's default collation is ICU en-US, as on a typical production server:
// the driver must not depend on a C-locale database for its ordering.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, haveCommand, run, sleep } from './clients/process.ts';

export interface TestPostgres {
  /** How long initdb plus the server's start took. */
  readonly startupMs: number;
  /** The postmaster's PID (its backends are its children), e.g. to sample its CPU time. */
  readonly pid: number;
  /** postgres://… URL (with the password) of a new, empty database on this server. */
  createDatabase(): Promise<string>;
  /** Drops a database createDatabase made, disconnecting whoever still uses it. */
  dropDatabase(url: string): Promise<void>;
  stop(): Promise<void>;
}

interface Runner {
  /** Command and arguments that run `binary args…` as the user the server runs as. */
  command(binary: string, args: readonly string[]): [string, string[]];
  /** Gives the server's user a directory we made. */
  own(path: string): void;
}

const SUPERUSER = 'berth';

/**
 * Why no test PostgreSQL can start here, or undefined when one can. On a developer
 * machine the caller skips with this reason; in CI (which installs it) it throws.
 */
export function postgresMissing(): string | undefined {
  const reason = findBinDir() === undefined
    ? 'PostgreSQL server binaries (initdb, postgres) not installed: apt-get install postgresql'
    : isRoot() && !(postgresUser() && haveCommand('setpriv'))
      ? 'running as root needs the postgres system user and setpriv to start PostgreSQL'
      : undefined;
  if (reason && process.env.CI) throw new Error(`CI must provide PostgreSQL for the tests: ${reason}`);
  return reason;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const started = performance.now();
  const bin = findBinDir();
  if (!bin) throw new Error(postgresMissing() ?? 'no PostgreSQL binaries');
  const runner = makeRunner();
  const dir = mkdtempSync(join(tmpdir(), 'berth-pg-'));
  const password = randomBytes(18).toString('hex');
  let server: ChildProcess | undefined;
  let port = 0;
  try {
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    runner.own(dir);
    runner.own(passwordFile);
    const [initdb, initdbArgs] = runner.command(join(bin, 'initdb'), [
      '--pgdata', join(dir, 'data'),
      '--username', SUPERUSER,
      '--pwfile', passwordFile,
      '--auth-host', 'scram-sha-256',
      '--auth-local', 'scram-sha-256',
      '--encoding', 'UTF8',
      '--locale', 'C.UTF-8',
      '--locale-provider', 'icu',
      '--icu-locale', 'en-US',
      '--no-sync',
      '--no-instructions',
    ]);
    await run(initdb, initdbArgs, { timeoutMs: 60_000 });
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        server = await startServer(runner, bin, join(dir, 'data'), port, password);
        break;
      } catch (error) {
        // Another process may have taken the port between freePort() and the bind.
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const running = server;
  const startupMs = Math.round(performance.now() - started);
  const cleanupAtExit = () => {
    // Immediate shutdown: the process is exiting and cannot wait for a clean one.
    signal(running, 'SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanupAtExit);

  const urlOf = (database: string) => `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${database}`;
  const admin = new pg.Client({ connectionString: urlOf('postgres') });
  await admin.connect();
  let databases = 0;
  return {
    startupMs,
    pid: running.pid!,
    async createDatabase() {
      const name = `berth_test_${++databases}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return urlOf(name);
    },
    async dropDatabase(url) {
      const name = new URL(url).pathname.slice(1);
      if (!/^berth_test_\d+$/.test(name)) throw new Error(`not a test database: ${name}`);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    async stop() {
      process.removeListener('exit', cleanupAtExit);
      await admin.end().catch(() => undefined);
      // Fast shutdown: clients are disconnected, nothing needs to survive.
      const exited = new Promise<void>((resolve) => (running.exitCode !== null || running.signalCode !== null ? resolve() : running.once('exit', () => resolve())));
      signal(running, 'SIGINT');
      const timer = setTimeout(() => signal(running, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startServer(runner: Runner, bin: string, dataDir: string, port: number, password: string): Promise<ChildProcess> {
  const [command, args] = runner.command(join(bin, 'postgres'), [
    '-D', dataDir,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
    // A test server: nothing has to survive a power cut, and it shares a small machine.
    '-c', 'fsync=off',
    '-c', 'full_page_writes=off',
    '-c', 'shared_buffers=32MB',
    '-c', 'max_connections=200',
    '-c', 'lc_messages=C',
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (text: string) => log.push(text));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const probe = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres', connectionTimeoutMillis: 1000 });
    try {
      await probe.connect();
      await probe.end();
      return child;
    } catch {
      await probe.end().catch(() => undefined);
      await sleep(25);
    }
  }
  signal(child, 'SIGKILL');
  throw new Error(`PostgreSQL did not start on port ${port}:\n${log.join('').slice(-3000)}`);
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, name);
  } catch {
    // already gone
  }
}

/** BERTH_TEST_POSTGRES_BIN, else the newest /usr/lib/postgresql/<version>/bin, else PATH. */
function findBinDir(): string | undefined {
  const hasServer = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const configured = process.env.BERTH_TEST_POSTGRES_BIN;
  if (configured) return hasServer(configured) ? configured : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) if (hasServer(join(root, version, 'bin'))) return join(root, version, 'bin');
  }
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => dir !== '' && hasServer(dir));
  return onPath;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** uid and gid of the postgres system user, from /etc/passwd. */
function postgresUser(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith('postgres:'));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function makeRunner(): Runner {
  if (!isRoot()) return { command: (binary, args) => [binary, [...args]], own: () => undefined };
  const user = postgresUser()!;
  return {
    command: (binary, args) => ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', binary, ...args]],
    own: (path) => chownSync(path, user.uid, user.gid),
  };
}
