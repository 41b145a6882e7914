// BatchGetRepositoryScanningConfiguration: each named repository's scan frequency and
// the registry scanning filters that apply to it, worked out from the account's
// registry scanning configuration and the repository's own scanOnPush flag (see
// src/registry/registry-scanning.ts). Missing repositories are failures, not an
// exception. Berth scans nothing; this reports the configuration only.
import { registryScanning, repositoryScanning } from '../registry/registry-scanning.ts';
import type { EcrContext } from './ecr-context.ts';
import { repositoryNotFound } from './repository-lookup.ts';

export async function batchGetRepositoryScanningConfiguration(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const configuration = await registryScanning(context.metadata.registryScanning, context.accountId);
  const scanningConfigurations: object[] = [];
  const failures: object[] = [];
  for (const name of new Set(input['repositoryNames'] as string[])) {
    const record = await context.metadata.repositories.get(name);
    if (!record) {
      failures.push({ repositoryName: name, failureCode: 'REPOSITORY_NOT_FOUND', failureReason: repositoryNotFound(name, context.accountId).message });
      continue;
    }
    const { scanOnPush } = record.settings;
    scanningConfigurations.push({
      repositoryArn: `arn:aws:ecr:${context.region}:${context.accountId}:repository/${name}`,
      repositoryName: name,
      scanOnPush,
      ...repositoryScanning(configuration, name, scanOnPush),
    });
  }
  return { scanningConfigurations, failures };
}
