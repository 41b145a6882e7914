// Repository and registry policies: Set/Get/DeleteRepositoryPolicy (with ECR's
// lock-out check, skipped by `force`) and Put/Get/DeleteRegistryPolicy.
import { evaluate } from '../auth/policy/evaluate.ts';
import { parsePolicyDocument, PolicyDocumentError, type ParsedPolicy } from '../auth/policy/policy-document.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { requireRepository } from './repository-lookup.ts';

const MAX_POLICY_LENGTH = 10_240;

function parse(text: unknown, name: string): ParsedPolicy {
  try {
    return parsePolicyDocument(String(text), { kind: 'resource', name, maxLength: MAX_POLICY_LENGTH });
  } catch (error) {
    if (error instanceof PolicyDocumentError) {
      throw new EcrError('InvalidParameterException', `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid ${name} provided': ${error.message}`);
    }
    throw error;
  }
}

export async function setRepositoryPolicy(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const text = String(input['policyText']);
  const policy = parse(text, 'repository policy');
  if (input['force'] !== true) {
    // The lock-out check: a policy that would deny the caller the right to change it again needs force.
    const decision = evaluate(
      {
        principal: { accountId: context.principal.accountId, arn: context.principal.arn, username: context.principal.userName },
        action: 'ecr:SetRepositoryPolicy',
        resource: `arn:aws:ecr:${context.region}:${context.accountId}:repository/${repository}`,
        context: { 'aws:CurrentTime': context.now().toISOString(), 'aws:username': context.principal.userName },
      },
      { identity: [], resource: policy, resourceAccountId: context.accountId },
    );
    if (decision.decision === 'ExplicitDeny') {
      throw new EcrError(
        'InvalidParameterException',
        'Invalid parameter at \'PolicyText\' failed to satisfy constraint: \'The policy would prevent you from setting another policy in the future; use force to set it anyway\'',
      );
    }
  }
  await context.metadata.repositories.setPolicy(repository, text);
  return { registryId: context.accountId, repositoryName: repository, policyText: text };
}

export async function getRepositoryPolicy(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const policy = (await context.metadata.repositories.get(repository))?.policy;
  if (policy === undefined) throw policyNotFound(context, repository);
  return { registryId: context.accountId, repositoryName: repository, policyText: policy };
}

export async function deleteRepositoryPolicy(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const policy = (await context.metadata.repositories.get(repository))?.policy;
  if (policy === undefined) throw policyNotFound(context, repository);
  await context.metadata.repositories.setPolicy(repository, undefined);
  return { registryId: context.accountId, repositoryName: repository, policyText: policy };
}

function policyNotFound(context: EcrContext, repository: string): EcrError {
  return new EcrError(
    'RepositoryPolicyNotFoundException',
    `Repository policy does not exist for the repository with name '${repository}' in the registry with id '${context.accountId}'`,
  );
}

export async function putRegistryPolicy(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const text = String(input['policyText']);
  parse(text, 'registry policy');
  await context.metadata.registry.setPolicy(context.accountId, text);
  return { registryId: context.accountId, policyText: text };
}

export async function getRegistryPolicy(context: EcrContext): Promise<object> {
  const policy = await context.metadata.registry.getPolicy(context.accountId);
  if (policy === undefined) throw registryPolicyNotFound(context);
  return { registryId: context.accountId, policyText: policy };
}

export async function deleteRegistryPolicy(context: EcrContext): Promise<object> {
  const policy = await context.metadata.registry.getPolicy(context.accountId);
  if (policy === undefined) throw registryPolicyNotFound(context);
  await context.metadata.registry.setPolicy(context.accountId, undefined);
  return { registryId: context.accountId, policyText: policy };
}

function registryPolicyNotFound(context: EcrContext): EcrError {
  return new EcrError('RegistryPolicyNotFoundException', `Registry policy does not exist in the registry with id '${context.accountId}'`);
}
