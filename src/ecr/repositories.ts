// CreateRepository, DescribeRepositories and DeleteRepository with ECR's shapes and
// exception messages. Input has passed ecr-validation.ts.
import { isValidRepositoryName } from '../model/repository-name.ts';
import {
  DEFAULT_REPOSITORY_SETTINGS,
  type EncryptionConfiguration,
  type ImageTagMutability,
  type RepositoryRecord,
  type RepositorySettings,
  type TagMutabilityExclusionFilter,
} from '../storage/meta/repository-settings.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { repositoryNotFound } from './repository-lookup.ts';

const DEFAULT_PAGE = 100;

export function repositoryShape(context: EcrContext, record: RepositoryRecord): object {
  const { settings } = record;
  return {
    repositoryArn: `arn:aws:ecr:${context.region}:${context.accountId}:repository/${record.name}`,
    registryId: context.accountId,
    repositoryName: record.name,
    repositoryUri: `${context.registryHost}/${record.name}`,
    createdAt: record.createdAt,
    imageTagMutability: settings.imageTagMutability,
    ...(settings.imageTagMutabilityExclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: settings.imageTagMutabilityExclusionFilters } : {}),
    imageScanningConfiguration: { scanOnPush: settings.scanOnPush },
    encryptionConfiguration: settings.encryption,
  };
}

function checkRegistry(context: EcrContext, input: Record<string, unknown>): void {
  const registryId = input['registryId'];
  // One account per deployment for now: another registry id names nothing here.
  if (registryId !== undefined && registryId !== context.accountId) {
    throw new EcrError('RegistryNotFoundException', `The registry with id '${String(registryId)}' does not exist`);
  }
}

export async function createRepository(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  checkRegistry(context, input);
  const name = String(input['repositoryName']);
  if (!isValidRepositoryName(name)) throw new EcrError('InvalidParameterException', `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression'`);
  const scanning = input['imageScanningConfiguration'] as { scanOnPush?: boolean } | undefined;
  const encryption = input['encryptionConfiguration'] as EncryptionConfiguration | undefined;
  const settings: RepositorySettings = {
    imageTagMutability: (input['imageTagMutability'] as ImageTagMutability | undefined) ?? DEFAULT_REPOSITORY_SETTINGS.imageTagMutability,
    imageTagMutabilityExclusionFilters: (input['imageTagMutabilityExclusionFilters'] as TagMutabilityExclusionFilter[] | undefined) ?? [],
    scanOnPush: scanning?.scanOnPush ?? false,
    encryption: encryption ?? DEFAULT_REPOSITORY_SETTINGS.encryption,
  };
  const tags = Object.fromEntries(((input['tags'] as Array<{ Key: string; Value: string }> | undefined) ?? []).map((tag) => [tag.Key, tag.Value]));
  if (!(await context.metadata.repositories.create(name, settings, tags, context.now()))) {
    throw new EcrError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${context.accountId}'`);
  }
  const record = await context.metadata.repositories.get(name);
  return { repository: repositoryShape(context, record!) };
}

export async function describeRepositories(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  checkRegistry(context, input);
  const names = input['repositoryNames'] as string[] | undefined;
  if (names && names.length > 0) {
    const records: RepositoryRecord[] = [];
    for (const name of names) {
      const record = await context.metadata.repositories.get(name);
      if (!record) throw repositoryNotFound(name, context.accountId);
      records.push(record);
    }
    return { repositories: records.map((record) => repositoryShape(context, record)) };
  }
  const limit = (input['maxResults'] as number | undefined) ?? DEFAULT_PAGE;
  const after = decodeToken(input['nextToken']);
  const page = await context.metadata.repositories.list({ limit: limit + 1, ...(after ? { after } : {}) });
  const shown = page.slice(0, limit);
  const records = (await Promise.all(shown.map((name) => context.metadata.repositories.get(name)))).filter((record) => record !== undefined);
  return {
    repositories: records.map((record) => repositoryShape(context, record)),
    ...(page.length > limit ? { nextToken: encodeToken(shown[shown.length - 1]!) } : {}),
  };
}

export async function deleteRepository(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  checkRegistry(context, input);
  const name = String(input['repositoryName']);
  const record = await context.metadata.repositories.get(name);
  if (!record) throw repositoryNotFound(name, context.accountId);
  const result = await context.metadata.repositories.delete(name, { force: input['force'] === true });
  if (result === 'not-found') throw repositoryNotFound(name, context.accountId);
  if (result === 'not-empty') {
    throw new EcrError(
      'RepositoryNotEmptyException',
      `The repository with name '${name}' in registry with id '${context.accountId}' cannot be deleted because it still contains images`,
    );
  }
  return { repository: repositoryShape(context, record) };
}

/** Page tokens are opaque to clients: the last name shown, base64url-encoded. */
function encodeToken(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

function decodeToken(token: unknown): string | undefined {
  if (typeof token !== 'string' || token === '') return undefined;
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (!isValidRepositoryName(name)) throw new EcrError('InvalidParameterException', 'Invalid parameter at nextToken: the token is not one this registry issued');
  return name;
}
