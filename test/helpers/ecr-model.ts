// The newest botocore ECR model on this machine, placed where the AWS CLI looks for
// models first (a directory named by AWS_DATA_PATH). An AWS CLI older than the model
// then speaks its newer operations (ListImageReferrers) and prints its newer output
// members (subjectManifestDigest, imageStatus), which it would otherwise drop.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const MODEL_DIR = join('data', 'ecr', '2015-09-21');

function botocoreDataDirs(): string[] {
  const dirs: string[] = [];
  try {
    const botocore = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (botocore) dirs.push(join(botocore, MODEL_DIR));
  } catch {
    // no python3 or no botocore
  }
  // Debian's awscli package vendors its own botocore.
  dirs.push(join('/usr/lib/python3/dist-packages/awscli/botocore', MODEL_DIR));
  return dirs;
}

function readJson(path: string): { operations?: Record<string, unknown> } | undefined {
  for (const candidate of [path, `${path}.gz`]) {
    if (!existsSync(candidate)) continue;
    const bytes = readFileSync(candidate);
    return JSON.parse((candidate.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')) as { operations?: Record<string, unknown> };
  }
  return undefined;
}

export interface EcrModelDataPath {
  /** The value for AWS_DATA_PATH. */
  readonly dataPath: string;
  readonly operations: readonly string[];
}

/** Writes the newest model found (with its paginators) under `dir`; undefined when there is none. */
export function writeNewestEcrModel(dir: string): EcrModelDataPath | undefined {
  const models = botocoreDataDirs()
    .map((modelDir) => ({ modelDir, service: readJson(join(modelDir, 'service-2.json')) }))
    .filter((found): found is { modelDir: string; service: { operations: Record<string, unknown> } } => found.service?.operations !== undefined);
  if (models.length === 0) return undefined;
  models.sort((a, b) => Object.keys(b.service.operations).length - Object.keys(a.service.operations).length);
  const newest = models[0]!;
  const target = join(dir, 'ecr', '2015-09-21', 'service-2.json');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, JSON.stringify(newest.service));
  const paginators = readJson(join(newest.modelDir, 'paginators-1.json'));
  if (paginators) writeFileSync(join(dirname(target), 'paginators-1.json'), JSON.stringify(paginators));
  return { dataPath: dir, operations: Object.keys(newest.service.operations) };
}
