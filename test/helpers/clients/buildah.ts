// buildah

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunOptions, RunResult } from './process.ts';
import { loginArgs, tlsVerifyFlag, type ClientTls, type LoginCredentials, type ToolSandbox } from './sandbox.ts';

export class Buildah {
  readonly sandbox: ToolSandbox;
  readonly root: string;
  readonly runroot: string;

  constructor(sandbox: ToolSandbox, store = 'buildah') {
    this.sandbox = sandbox;
    this.root = join(sandbox.dir, 'storage', store, 'root');
    this.runroot = join(sandbox.runDir, store);
  }

  async raw(args: readonly string[], options: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
    await mkdir(this.root, { recursive: true });
    await mkdir(this.runroot, { recursive: true });
    return this.sandbox.run('buildah', ['--root', this.root, '--runroot', this.runroot, '--storage-driver', 'vfs', ...args], options);
  }

  /** buildah login: later buildah, skopeo and podman commands in this sandbox use the credentials. */
  async login(hostPort: string, credentials: LoginCredentials, tls: ClientTls): Promise<RunResult> {
    return this.raw(loginArgs(hostPort, credentials, tls), { input: credentials.password });
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
