// The AWS service models botocore ships (with the AWS CLI, or python3's botocore), read
// at test time and never copied into the project: our tables are checked against them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** botocore `data/` directories on this machine: python3's botocore, then Debian's AWS CLI's own copy. */
function botocoreDataDirs(): string[] {
  const dirs: string[] = [];
  try {
    const botocore = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (botocore) dirs.push(join(botocore, 'data'));
  } catch {
    // no python3 or no botocore
  }
  dirs.push('/usr/lib/python3/dist-packages/awscli/botocore/data');
  return dirs;
}

/** A botocore JSON file (plain or gzipped), or undefined when it is not there. */
export function readBotocoreJson<T>(path: string): T | undefined {
  for (const candidate of [path, `${path}.gz`]) {
    if (!existsSync(candidate)) continue;
    const bytes = readFileSync(candidate);
    return JSON.parse((candidate.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')) as T;
  }
  return undefined;
}

/** A shape of a botocore model, as far as our cross-checks read it. */
export interface BotocoreShape {
  type: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  member?: { shape: string };
  members?: Record<string, { shape: string }>;
  required?: string[];
  /** Set on exception shapes. */
  error?: { code: string; httpStatusCode: number };
}

export interface FoundModel<T> {
  /** The directory holding service-2.json (and paginators-1.json). */
  readonly dir: string;
  readonly model: T;
}

/** Every copy of a service's model on this machine, the one with the most operations first. */
export function botocoreModels<T extends { operations: Record<string, unknown> }>(service: string, apiVersion: string): FoundModel<T>[] {
  const found: FoundModel<T>[] = [];
  for (const data of botocoreDataDirs()) {
    const dir = join(data, service, apiVersion);
    const model = readBotocoreJson<T>(join(dir, 'service-2.json'));
    if (model?.operations) found.push({ dir, model });
  }
  return found.sort((a, b) => Object.keys(b.model.operations).length - Object.keys(a.model.operations).length);
}
