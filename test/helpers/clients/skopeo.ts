// skopeo

import type { RunOptions, RunResult } from './process.ts';
import { loginArgs, tlsVerifyFlag, type ClientTls, type LoginCredentials, type ToolSandbox } from './sandbox.ts';

export class Skopeo {
  readonly sandbox: ToolSandbox;

  constructor(sandbox: ToolSandbox) {
    this.sandbox = sandbox;
  }

  private globalArgs(): string[] {
    return ['--policy', this.sandbox.policyPath, '--registries.d', this.sandbox.registriesDir];
  }

  async raw(args: readonly string[], options: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
    return this.sandbox.run('skopeo', [...this.globalArgs(), ...args], options);
  }

  /** skopeo login: later skopeo, podman and buildah commands in this sandbox use the credentials. */
  async login(hostPort: string, credentials: LoginCredentials, tls: ClientTls): Promise<RunResult> {
    return this.raw(loginArgs(hostPort, credentials, tls), { input: credentials.password });
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
