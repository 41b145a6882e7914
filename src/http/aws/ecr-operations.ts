// Every ECR control-plane operation (API version 2015-09-21), the IAM action it needs
// and the resource that action is authorized against. The action is `ecr:<Operation>`
// except ListImageReferrers, which the ECR API reference says needs ecr:BatchGetImage.
// Registry-level operations (GetAuthorizationToken, registry policy and settings,
// pull-through cache, creation templates, signing, replication) are granted on "*".

/** Where the repository named by a request comes from. */
export type EcrRepositorySource = 'repositoryName' | 'repositoryNames' | 'resourceArn';

export type EcrResource = { readonly kind: 'registry' } | { readonly kind: 'repository'; readonly from: EcrRepositorySource };

export interface EcrOperation {
  readonly name: string;
  /** The IAM action evaluated for the call. */
  readonly action: string;
  readonly resource: EcrResource;
}

const REGISTRY: EcrResource = { kind: 'registry' };
const BY_NAME: EcrResource = { kind: 'repository', from: 'repositoryName' };
const BY_NAMES: EcrResource = { kind: 'repository', from: 'repositoryNames' };
const BY_ARN: EcrResource = { kind: 'repository', from: 'resourceArn' };

const TABLE: ReadonlyArray<readonly [string, EcrResource, string?]> = [
  ['BatchCheckLayerAvailability', BY_NAME],
  ['BatchDeleteImage', BY_NAME],
  ['BatchGetImage', BY_NAME],
  ['BatchGetRepositoryScanningConfiguration', BY_NAMES],
  ['CompleteLayerUpload', BY_NAME],
  ['CreatePullThroughCacheRule', REGISTRY],
  ['CreateRepository', BY_NAME],
  ['CreateRepositoryCreationTemplate', REGISTRY],
  ['DeleteLifecyclePolicy', BY_NAME],
  ['DeletePullThroughCacheRule', REGISTRY],
  ['DeleteRegistryPolicy', REGISTRY],
  ['DeleteRepository', BY_NAME],
  ['DeleteRepositoryCreationTemplate', REGISTRY],
  ['DeleteRepositoryPolicy', BY_NAME],
  ['DeleteSigningConfiguration', REGISTRY],
  ['DeregisterPullTimeUpdateExclusion', REGISTRY],
  ['DescribeImageReplicationStatus', BY_NAME],
  ['DescribeImageScanFindings', BY_NAME],
  ['DescribeImageSigningStatus', BY_NAME],
  ['DescribeImages', BY_NAME],
  ['DescribePullThroughCacheRules', REGISTRY],
  ['DescribeRegistry', REGISTRY],
  ['DescribeRepositories', BY_NAMES],
  ['DescribeRepositoryCreationTemplates', REGISTRY],
  ['GetAccountSetting', REGISTRY],
  ['GetAuthorizationToken', REGISTRY],
  ['GetDownloadUrlForLayer', BY_NAME],
  ['GetLifecyclePolicy', BY_NAME],
  ['GetLifecyclePolicyPreview', BY_NAME],
  ['GetRegistryPolicy', REGISTRY],
  ['GetRegistryScanningConfiguration', REGISTRY],
  ['GetRepositoryPolicy', BY_NAME],
  ['GetSigningConfiguration', REGISTRY],
  ['InitiateLayerUpload', BY_NAME],
  ['ListImageReferrers', BY_NAME, 'ecr:BatchGetImage'],
  ['ListImages', BY_NAME],
  ['ListPullTimeUpdateExclusions', REGISTRY],
  ['ListTagsForResource', BY_ARN],
  ['PutAccountSetting', REGISTRY],
  ['PutImage', BY_NAME],
  ['PutImageScanningConfiguration', BY_NAME],
  ['PutImageTagMutability', BY_NAME],
  ['PutLifecyclePolicy', BY_NAME],
  ['PutRegistryPolicy', REGISTRY],
  ['PutRegistryScanningConfiguration', REGISTRY],
  ['PutReplicationConfiguration', REGISTRY],
  ['PutSigningConfiguration', REGISTRY],
  ['RegisterPullTimeUpdateExclusion', REGISTRY],
  ['SetRepositoryPolicy', BY_NAME],
  ['StartImageScan', BY_NAME],
  ['StartLifecyclePolicyPreview', BY_NAME],
  ['TagResource', BY_ARN],
  ['UntagResource', BY_ARN],
  ['UpdateImageStorageClass', BY_NAME],
  ['UpdatePullThroughCacheRule', REGISTRY],
  ['UpdateRepositoryCreationTemplate', REGISTRY],
  ['UploadLayerPart', BY_NAME],
  ['ValidatePullThroughCacheRule', REGISTRY],
];

export const ECR_OPERATIONS: ReadonlyMap<string, EcrOperation> = new Map(
  TABLE.map(([name, resource, action]) => [name, { name, action: action ?? `ecr:${name}`, resource }]),
);

export const ECR_OPERATION_NAMES: readonly string[] = TABLE.map(([name]) => name);

export function isEcrOperation(name: string): boolean {
  return ECR_OPERATIONS.has(name);
}

export function ecrOperation(name: string): EcrOperation | undefined {
  return ECR_OPERATIONS.get(name);
}

export interface ArnContext {
  readonly partition?: string;
  readonly region: string;
  /** The caller's registry, used when the input names no registryId. */
  readonly accountId: string;
}

export function repositoryArn(ctx: ArnContext, account: string, name: string): string {
  return `arn:${ctx.partition ?? 'aws'}:ecr:${ctx.region}:${account}:repository/${name}`;
}

/**
 * The resources an operation's action is authorized against: `*` for registry-level
 * operations, otherwise repository ARNs built from the (validated) input. A
 * DescribeRepositories or BatchGetRepositoryScanningConfiguration call that names no
 * repositories is checked against `repository/*`.
 */
export function ecrResourceArns(operation: EcrOperation, input: Readonly<Record<string, unknown>>, ctx: ArnContext): string[] {
  const { resource } = operation;
  if (resource.kind === 'registry') return ['*'];
  const account = typeof input['registryId'] === 'string' ? input['registryId'] : ctx.accountId;
  switch (resource.from) {
    case 'repositoryName':
      return typeof input['repositoryName'] === 'string' ? [repositoryArn(ctx, account, input['repositoryName'])] : [];
    case 'repositoryNames': {
      const names = input['repositoryNames'];
      if (!Array.isArray(names) || names.length === 0) return [repositoryArn(ctx, account, '*')];
      return names.filter((name): name is string => typeof name === 'string').map((name) => repositoryArn(ctx, account, name));
    }
    case 'resourceArn':
      return typeof input['resourceArn'] === 'string' ? [input['resourceArn']] : [];
  }
}
