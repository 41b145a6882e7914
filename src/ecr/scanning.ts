// BatchGetRepositoryScanningConfiguration: each named repository's scanning as ECR
// reports it for basic scanning configured per repository. Berth keeps only the
// repository's scan-on-push flag and has no registry scanning rules, so no scan
// filters ever apply. Missing repositories are failures, not an exception.
import type { EcrContext } from './ecr-context.ts';
import { repositoryNotFound } from './repository-lookup.ts';

export async function batchGetRepositoryScanningConfiguration(context: EcrContext, input: Record<string, unknown>): Promise<object> {
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
      scanFrequency: scanOnPush ? 'SCAN_ON_PUSH' : 'MANUAL',
      appliedScanFilters: [],
    });
  }
  return { scanningConfigurations, failures };
}
