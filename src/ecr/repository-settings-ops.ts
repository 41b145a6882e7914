// Changing a repository after creation: tag mutability, scan-on-push, and resource
// tags (TagResource/UntagResource/ListTagsForResource name it by ARN).
import { parseRepositoryArn } from './repository-arn.ts';
import type { ImageTagMutability, TagMutabilityExclusionFilter } from '../storage/meta/repository-settings.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { requireRepository } from './repository-lookup.ts';

const MAX_TAGS = 50;

export async function putImageTagMutability(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const record = (await context.metadata.repositories.get(repository))!;
  const imageTagMutability = input['imageTagMutability'] as ImageTagMutability;
  const imageTagMutabilityExclusionFilters = (input['imageTagMutabilityExclusionFilters'] as TagMutabilityExclusionFilter[] | undefined) ?? [];
  await context.metadata.repositories.updateSettings(repository, { ...record.settings, imageTagMutability, imageTagMutabilityExclusionFilters });
  return {
    registryId: context.accountId,
    repositoryName: repository,
    imageTagMutability,
    ...(imageTagMutabilityExclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters } : {}),
  };
}

export async function putImageScanningConfiguration(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const record = (await context.metadata.repositories.get(repository))!;
  const scanOnPush = (input['imageScanningConfiguration'] as { scanOnPush?: boolean } | undefined)?.scanOnPush ?? false;
  await context.metadata.repositories.updateSettings(repository, { ...record.settings, scanOnPush });
  return { registryId: context.accountId, repositoryName: repository, imageScanningConfiguration: { scanOnPush } };
}

/** The repository an ECR repository ARN names, in this registry. */
async function repositoryOfArn(context: EcrContext, arn: unknown): Promise<string> {
  const parts = parseRepositoryArn(String(arn));
  if (!parts || parts.region !== context.region || parts.accountId !== context.accountId) {
    throw new EcrError('InvalidParameterException', `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'must be the ARN of a repository in this registry'`);
  }
  return requireRepository(context, { repositoryName: parts.name });
}

export async function tagResource(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await repositoryOfArn(context, input['resourceArn']);
  const add = Object.fromEntries((input['tags'] as Array<{ Key: string; Value: string }>).map((tag) => [tag.Key, tag.Value]));
  const current = (await context.metadata.repositories.get(repository))!.tags;
  if (Object.keys({ ...current, ...add }).length > MAX_TAGS) throw new EcrError('TooManyTagsException', `A repository can have at most ${MAX_TAGS} tags`);
  await context.metadata.repositories.updateTags(repository, add, []);
  return {};
}

export async function untagResource(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await repositoryOfArn(context, input['resourceArn']);
  await context.metadata.repositories.updateTags(repository, {}, input['tagKeys'] as string[]);
  return {};
}

export async function listTagsForResource(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await repositoryOfArn(context, input['resourceArn']);
  const tags = (await context.metadata.repositories.get(repository))!.tags;
  return { tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
}
