// Starts the test S3 server (s3-server-main.ts) in a child process on a free port
// with a fresh bucket, and stops it by its PID. No manual step: every S3 test
// brings its own server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 's3-server-main.ts');

export interface S3TestServer {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** The server's built-in account. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** AWS_* variables that point the SDK's default credential chain at this server's account. */
  readonly env: Record<string, string>;
  readonly child: ChildProcess;
  /** What the server printed (its request log with BERTH_S3_TEST_SERVER_LOG=1). */
  readonly logs: readonly string[];
  stop(): Promise<void>;
}

export async function startS3TestServer(options: { bucket?: string } = {}): Promise<S3TestServer> {
  const bucket = options.bucket ?? 'berth-test';
  const directory = await mkdtemp(join(tmpdir(), 'berth-s3-'));
  // s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
  const child = spawn(process.execPath, ['--openssl-legacy-provider', MAIN, directory, bucket], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  let endpoint: string;
  try {
    endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the S3 test server did not start:\n${output.join('\n')}`)), 20_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        try {
          const message = JSON.parse(line) as { endpoint?: string };
          if (message.endpoint) {
            clearTimeout(timer);
            resolve(message.endpoint);
          }
        } catch {
          // not our line
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the S3 test server exited with ${code}:\n${output.join('\n')}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const region = 'us-east-1';
  return {
    endpoint,
    bucket,
    region,
    credentials,
    env: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: region },
    child,
    logs: output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
