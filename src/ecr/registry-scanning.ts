// GetRegistryScanningConfiguration and PutRegistryScanningConfiguration: the caller's
// account's scanning configuration, kept and reported as ECR does. Berth has no
// scanner (no vulnerability database offline): the configuration decides what
// BatchGetRepositoryScanningConfiguration reports, and no image is ever scanned.
import { DEFAULT_REGISTRY_SCANNING, registryScanning, scanningRulesProblem } from '../registry/registry-scanning.ts';
import type { RegistryScanningConfiguration, RegistryScanningRule, ScanType } from '../storage/meta/registry-scanning-store.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';

export async function getRegistryScanningConfiguration(context: EcrContext): Promise<object> {
  return { registryId: context.accountId, scanningConfiguration: await registryScanning(context.metadata.registryScanning, context.accountId) };
}

/** Replaces the whole configuration: a member left out reads as it does for a new registry. */
export async function putRegistryScanningConfiguration(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const scanType = (input['scanType'] as ScanType | undefined) ?? DEFAULT_REGISTRY_SCANNING.scanType;
  const given = (input['rules'] as RegistryScanningRule[] | undefined) ?? [];
  // Keep only the members the shapes have (validation already dropped unknown ones).
  const rules: RegistryScanningRule[] = given.map((rule) => ({
    scanFrequency: rule.scanFrequency,
    repositoryFilters: rule.repositoryFilters.map(({ filter, filterType }) => ({ filter, filterType })),
  }));
  const problem = scanningRulesProblem(scanType, rules);
  if (problem) throw new EcrError('ValidationException', problem);
  const configuration: RegistryScanningConfiguration = { scanType, rules };
  await context.metadata.registryScanning.put(context.accountId, configuration);
  return { registryScanningConfiguration: configuration };
}
