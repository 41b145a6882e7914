// Sandbox for the containers/* tools (skopeo, podman, buildah)
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
//
// tlsVerifyFlag is shared with skopeo.ts, podman.ts and buildah.ts.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientError, commandLine, haveCommand, makeTempDir, run, type RunOptions, type RunResult } from './process.ts';
import type { TestRegistry } from './registries.ts';

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

/** A registry login as `<tool> login` takes it. */
export interface LoginCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * `skopeo|podman|buildah login` arguments: the password goes on stdin, as in
 * `aws ecr get-login-password | podman login --username AWS --password-stdin host`.
 * The credentials land in the sandbox's REGISTRY_AUTH_FILE, which all three tools read.
 */
export function loginArgs(hostPort: string, credentials: LoginCredentials, tls: ClientTls): string[] {
  return ['login', '--username', credentials.username, '--password-stdin', ...tlsVerifyFlag('', tls), hostPort];
}

export function tlsVerifyFlag(prefix: string, tls: ClientTls): string[] {
  // containers/image: plain HTTP needs tls-verify=false (it then falls back to http://).
  if (tls.scheme === 'http' || tls.skipVerify) return [`--${prefix}tls-verify=false`];
  const flags = [`--${prefix}tls-verify=true`];
  if (tls.certDir) flags.push(`--${prefix}cert-dir`, tls.certDir);
  return flags;
}
