// podman

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunOptions, RunResult } from './process.ts';
import { loginArgs, tlsVerifyFlag, type ClientTls, type LoginCredentials, type ToolSandbox } from './sandbox.ts';

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

  async raw(args: readonly string[], options: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
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
    ], options);
  }

  /** podman login: later podman, skopeo and buildah commands in this sandbox use the credentials. */
  async login(hostPort: string, credentials: LoginCredentials, tls: ClientTls): Promise<RunResult> {
    return this.raw(loginArgs(hostPort, credentials, tls), { input: credentials.password });
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
