// The newest botocore ECR model on this machine, placed where the AWS CLI looks for
// models first (a directory named by AWS_DATA_PATH). An AWS CLI older than the model
// then speaks its newer operations (ListImageReferrers) and prints its newer output
// members (subjectManifestDigest, imageStatus), which it would otherwise drop.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { botocoreModels, readBotocoreJson } from './botocore-models.ts';

export interface EcrModelDataPath {
  /** The value for AWS_DATA_PATH. */
  readonly dataPath: string;
  readonly operations: readonly string[];
}

/** Writes the newest model found (with its paginators) under `dir`; undefined when there is none. */
export function writeNewestEcrModel(dir: string): EcrModelDataPath | undefined {
  const newest = botocoreModels<{ operations: Record<string, unknown> }>('ecr', '2015-09-21')[0];
  if (!newest) return undefined;
  const target = join(dir, 'ecr', '2015-09-21', 'service-2.json');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, JSON.stringify(newest.model));
  const paginators = readBotocoreJson<object>(join(newest.dir, 'paginators-1.json'));
  if (paginators) writeFileSync(join(dirname(target), 'paginators-1.json'), JSON.stringify(paginators));
  return { dataPath: dir, operations: Object.keys(newest.model.operations) };
}
