// Process running
//
// Every process we start is tracked by PID and killed on timeout or at exit.
// track, sleep and makeTempDir are shared with the sibling modules.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export function track(child: ChildProcess): void {
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

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Starts nothing, just says which clients are missing (tests skip when a binary isn't installed). */
export function missingTools(...names: string[]): string[] {
  const missing = names.filter((name) => !haveCommand(name));
  // On a developer machine a missing client skips its suite with the reason; in CI,
  // which installs them all (.ci/run), a missing client is a failure, never a skip.
  if (missing.length > 0 && process.env.CI) throw new Error(`CI must install these clients: ${missing.join(', ')}`);
  return missing;
}
