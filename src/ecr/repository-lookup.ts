// Finding the repository an ECR call names, with ECR's error when it is not there.
import { EcrError, type EcrContext } from './ecr-context.ts';

export function repositoryNotFound(name: string, registryId: string): EcrError {
  return new EcrError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`);
}

/** The repository named by the input, in this registry; RepositoryNotFoundException otherwise. */
export async function requireRepository(context: EcrContext, input: Record<string, unknown>): Promise<string> {
  const name = String(input['repositoryName']);
  const registryId = input['registryId'];
  if ((registryId !== undefined && registryId !== context.accountId) || !(await context.metadata.repositories.exists(name))) {
    throw repositoryNotFound(name, String(registryId ?? context.accountId));
  }
  return name;
}
