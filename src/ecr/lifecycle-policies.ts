// PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy,
// StartLifecyclePolicyPreview and GetLifecyclePolicyPreview with ECR's shapes. The
// policy text is checked by the lifecycle grammar (its errors carry ECR's messages);
// previews run through src/lifecycle/lifecycle-preview.ts, the evaluation a run makes.
import { LifecyclePolicyError, parseLifecyclePolicy } from '../lifecycle/lifecycle-policy-grammar.ts';
import { previewStatus, startLifecyclePreview } from '../lifecycle/lifecycle-preview.ts';
import type { LifecycleExpiry, LifecyclePolicy } from '../lifecycle/lifecycle-types.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { repositoryNotFound, requireRepository } from './repository-lookup.ts';

const DEFAULT_PREVIEW_PAGE = 100;

type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

function parsePolicy(text: string): LifecyclePolicy {
  try {
    return parseLifecyclePolicy(text);
  } catch (error) {
    if (error instanceof LifecyclePolicyError) throw new EcrError('InvalidParameterException', error.message);
    throw error;
  }
}

function policyNotFound(context: EcrContext, repository: string): EcrError {
  return new EcrError(
    'LifecyclePolicyNotFoundException',
    `Lifecycle policy does not exist for the repository with name '${repository}' in the registry with id '${context.accountId}'`,
  );
}

export async function putLifecyclePolicy(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const text = String(input['lifecyclePolicyText']);
  parsePolicy(text);
  if (!(await context.metadata.lifecycle.putPolicy(repository, text))) throw repositoryNotFound(repository, context.accountId);
  return { registryId: context.accountId, repositoryName: repository, lifecyclePolicyText: text };
}

export async function getLifecyclePolicy(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  return policyAnswer(context, repository, await context.metadata.lifecycle.getPolicy(repository));
}

export async function deleteLifecyclePolicy(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  return policyAnswer(context, repository, await context.metadata.lifecycle.deletePolicy(repository));
}

/**
 * Get's and Delete's answer: the policy text and lastEvaluatedAt, the time of the last run
 * that evaluated it. A policy no run has evaluated yet answers the epoch, 0, as ECR does
 * (the AWS CLI's own delete-lifecycle-policy example shows `"lastEvaluatedAt": 0.0`):
 * the model makes the member optional, but ECR sends it even then, and clients written
 * against ECR may read it unconditionally. PutLifecyclePolicy's answer has no such member.
 */
function policyAnswer(context: EcrContext, repository: string, policy: { readonly text: string; readonly lastEvaluatedAt?: Date } | undefined): object {
  if (!policy) throw policyNotFound(context, repository);
  return {
    registryId: context.accountId,
    repositoryName: repository,
    lifecyclePolicyText: policy.text,
    lastEvaluatedAt: policy.lastEvaluatedAt ?? new Date(0),
  };
}

export async function startLifecyclePolicyPreview(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const given = input['lifecyclePolicyText'] as string | undefined;
  const text = given ?? (await context.metadata.lifecycle.getPolicy(repository))?.text;
  if (text === undefined) throw policyNotFound(context, repository);
  const policy = parsePolicy(text);
  const { result } = await startLifecyclePreview(context.metadata.lifecycle, repository, text, policy, context.now);
  if (result === 'no-repository') throw repositoryNotFound(repository, context.accountId);
  if (result === 'in-progress') {
    throw new EcrError(
      'LifecyclePolicyPreviewInProgressException',
      `The previous lifecycle policy preview request has not completed for the repository with name '${repository}' in the registry with id '${context.accountId}'; wait and try again`,
    );
  }
  return { registryId: context.accountId, repositoryName: repository, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
}

export async function getLifecyclePolicyPreview(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const imageIds = input['imageIds'] as Array<{ imageDigest?: string; imageTag?: string }> | undefined;
  if (imageIds !== undefined && (input['nextToken'] !== undefined || input['maxResults'] !== undefined)) {
    throw new EcrError('InvalidParameterException', 'Invalid parameter: nextToken and maxResults cannot be used when you specify images with imageIds');
  }
  const preview = await context.metadata.lifecycle.getPreview(repository);
  if (!preview) {
    throw new EcrError(
      'LifecyclePolicyPreviewNotFoundException',
      `Lifecycle policy preview does not exist for the repository with name '${repository}' in the registry with id '${context.accountId}'`,
    );
  }
  const status = previewStatus(preview, context.now());
  const base = { registryId: context.accountId, repositoryName: repository, lifecyclePolicyText: preview.policy, status };
  if (status !== 'COMPLETE' || !preview.results) return { ...base, previewResults: [] };
  const filter = input['filter'] as { tagStatus?: TagStatus } | undefined;
  const { page, nextToken } = previewPage(preview.results, {
    ...(filter?.tagStatus !== undefined ? { tagStatus: filter.tagStatus } : {}),
    ...(imageIds !== undefined ? { imageIds } : {}),
    ...(input['maxResults'] !== undefined ? { maxResults: input['maxResults'] as number } : {}),
    ...(input['nextToken'] !== undefined ? { nextToken: input['nextToken'] } : {}),
  });
  return {
    ...base,
    previewResults: page.map(previewResult),
    summary: { expiringImageTotalCount: preview.results.length },
    ...(nextToken !== undefined ? { nextToken } : {}),
  };
}

/** One LifecyclePolicyPreviewResult. Berth has one storage class, ECR's STANDARD. */
function previewResult(expiry: LifecycleExpiry): object {
  return {
    ...(expiry.tags.length > 0 ? { imageTags: expiry.tags } : {}),
    imageDigest: expiry.digest,
    imagePushedAt: expiry.pushedAt,
    action: { type: 'EXPIRE' },
    appliedRulePriority: expiry.rulePriority,
    storageClass: 'STANDARD',
  };
}

export interface PreviewPageRequest {
  readonly tagStatus?: TagStatus;
  readonly imageIds?: ReadonlyArray<{ readonly imageDigest?: string; readonly imageTag?: string }>;
  readonly maxResults?: number;
  readonly nextToken?: unknown;
}

/**
 * The results a GetLifecyclePolicyPreview page shows, in the preview's order: those
 * the filter and the image ids select, after the token's position. The token holds the
 * digest of the last result shown; one that is not among the selected results was
 * not issued for this preview.
 */
export function previewPage(results: readonly LifecycleExpiry[], request: PreviewPageRequest): { page: LifecycleExpiry[]; nextToken?: string } {
  const tagStatus = request.tagStatus ?? 'ANY';
  const selected = results.filter(
    (expiry) =>
      (tagStatus === 'ANY' || (tagStatus === 'TAGGED') === expiry.tags.length > 0) &&
      (request.imageIds === undefined ||
        request.imageIds.some(
          (id) => (id.imageDigest === undefined || id.imageDigest === expiry.digest) && (id.imageTag === undefined || expiry.tags.includes(id.imageTag)),
        )),
  );
  const after = decodePageToken(request.nextToken, 1)?.[0];
  let start = 0;
  if (after !== undefined) {
    const position = selected.findIndex((expiry) => expiry.digest === after);
    if (position < 0) {
      throw new EcrError('InvalidParameterException', "Invalid parameter at 'nextToken' failed to satisfy constraint: 'must be a nextToken from a previous response to the same operation'");
    }
    start = position + 1;
  }
  const limit = request.maxResults ?? DEFAULT_PREVIEW_PAGE;
  const page = selected.slice(start, start + limit);
  return { page, ...(start + limit < selected.length ? { nextToken: encodePageToken([page[page.length - 1]!.digest]) } : {}) };
}
