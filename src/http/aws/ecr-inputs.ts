// Request shapes of the ECR operations Berth validates, in the ECR model's member order
// (the first failing member is the one reported). Transcribed by hand from the model's
// constraints; see ecr-shapes.ts for the vocabulary.
import {
  arn,
  blob,
  boolean,
  imageIdentifierList,
  imageScanningConfiguration,
  imageStatusFilter,
  imageTagMutability,
  imageTagMutabilityExclusionFilters,
  inRepository,
  integer,
  layerDigest,
  list,
  maxResults,
  mediaType,
  nextToken,
  partSize,
  policyText,
  registryId,
  repositoryName,
  string,
  structure,
  tagList,
  tagStatus,
  uploadId,
} from './ecr-shapes.ts';
import type { StructureSpec } from './ecr-shapes.ts';

const none = structure({});
const repositoryOnly = structure(inRepository, ['repositoryName']);

const repositories: Record<string, StructureSpec> = {
  CreateRepository: structure(
    {
      registryId,
      repositoryName,
      tags: tagList,
      imageTagMutability,
      imageTagMutabilityExclusionFilters,
      imageScanningConfiguration,
      encryptionConfiguration: structure(
        { encryptionType: string({ enum: ['AES256', 'KMS', 'KMS_DSSE'] }), kmsKey: string({ min: 1, max: 2048 }) },
        ['encryptionType'],
      ),
    },
    ['repositoryName'],
  ),
  DescribeRepositories: structure({
    registryId,
    repositoryNames: list(repositoryName, { min: 1, max: 100 }),
    nextToken,
    maxResults,
  }),
  DeleteRepository: structure({ ...inRepository, force: boolean }, ['repositoryName']),
  PutImageTagMutability: structure({ ...inRepository, imageTagMutability, imageTagMutabilityExclusionFilters }, [
    'repositoryName',
    'imageTagMutability',
  ]),
  PutImageScanningConfiguration: structure({ ...inRepository, imageScanningConfiguration }, ['repositoryName', 'imageScanningConfiguration']),
  TagResource: structure({ resourceArn: arn, tags: tagList }, ['resourceArn', 'tags']),
  UntagResource: structure({ resourceArn: arn, tagKeys: list(string()) }, ['resourceArn', 'tagKeys']),
  ListTagsForResource: structure({ resourceArn: arn }, ['resourceArn']),
};

const images: Record<string, StructureSpec> = {
  ListImages: structure(
    { ...inRepository, nextToken, maxResults, filter: structure({ tagStatus, imageStatus: imageStatusFilter }) },
    ['repositoryName'],
  ),
  DescribeImages: structure(
    {
      ...inRepository,
      imageIds: imageIdentifierList,
      nextToken,
      maxResults,
      filter: structure({ tagStatus, imageStatus: imageStatusFilter }),
    },
    ['repositoryName'],
  ),
  BatchGetImage: structure(
    { ...inRepository, imageIds: imageIdentifierList, acceptedMediaTypes: list(mediaType, { min: 1, max: 100 }) },
    ['repositoryName', 'imageIds'],
  ),
  PutImage: structure(
    {
      ...inRepository,
      imageManifest: string({ min: 1, max: 4194304 }),
      imageManifestMediaType: mediaType,
      imageTag: string({ min: 1, max: 300 }),
      imageDigest: string(),
    },
    ['repositoryName', 'imageManifest'],
  ),
  BatchDeleteImage: structure({ ...inRepository, imageIds: imageIdentifierList }, ['repositoryName', 'imageIds']),
  ListImageReferrers: structure(
    {
      ...inRepository,
      subjectId: structure({ imageDigest: string() }, ['imageDigest']),
      filter: structure({ artifactTypes: list(string({ min: 1, max: 255 }), { min: 0, max: 5 }), artifactStatus: imageStatusFilter }),
      nextToken,
      maxResults: integer({ min: 1, max: 50 }),
    },
    ['repositoryName', 'subjectId'],
  ),
};

const layers: Record<string, StructureSpec> = {
  BatchCheckLayerAvailability: structure(
    { ...inRepository, layerDigests: list(string({ min: 0, max: 1000 }), { min: 1, max: 100 }) },
    ['repositoryName', 'layerDigests'],
  ),
  InitiateLayerUpload: repositoryOnly,
  UploadLayerPart: structure(
    { ...inRepository, uploadId, partFirstByte: partSize, partLastByte: partSize, layerPartBlob: blob({ min: 0, max: 20971520 }) },
    ['repositoryName', 'uploadId', 'partFirstByte', 'partLastByte', 'layerPartBlob'],
  ),
  CompleteLayerUpload: structure({ ...inRepository, uploadId, layerDigests: list(layerDigest, { min: 1, max: 100 }) }, [
    'repositoryName',
    'uploadId',
    'layerDigests',
  ]),
  GetDownloadUrlForLayer: structure({ ...inRepository, layerDigest }, ['repositoryName', 'layerDigest']),
};

const registry: Record<string, StructureSpec> = {
  GetAuthorizationToken: structure({ registryIds: list(registryId, { min: 1, max: 10 }) }),
  SetRepositoryPolicy: structure({ ...inRepository, policyText, force: boolean }, ['repositoryName', 'policyText']),
  GetRepositoryPolicy: repositoryOnly,
  DeleteRepositoryPolicy: repositoryOnly,
  PutRegistryPolicy: structure({ policyText }, ['policyText']),
  GetRegistryPolicy: none,
  DeleteRegistryPolicy: none,
  DescribeRegistry: none,
  PutLifecyclePolicy: structure({ ...inRepository, lifecyclePolicyText: string({ min: 100, max: 30720 }) }, [
    'repositoryName',
    'lifecyclePolicyText',
  ]),
  GetLifecyclePolicy: repositoryOnly,
  DeleteLifecyclePolicy: repositoryOnly,
  StartLifecyclePolicyPreview: structure({ ...inRepository, lifecyclePolicyText: string({ min: 100, max: 30720 }) }, ['repositoryName']),
  GetLifecyclePolicyPreview: structure(
    {
      ...inRepository,
      imageIds: imageIdentifierList,
      nextToken,
      maxResults: integer({ min: 1, max: 100 }),
      filter: structure({ tagStatus }),
    },
    ['repositoryName'],
  ),
};

// Repository creation templates: a prefix is a repository namespace (a trailing '/'
// allowed) or ROOT; the policies may be empty; appliedFor lists scenarios.
const templatePrefix = string({ min: 1, max: 256, pattern: '^([a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*\\/?|ROOT)$' });
const templateMembers = {
  prefix: templatePrefix,
  description: string({ max: 256 }),
  encryptionConfiguration: structure(
    {
      encryptionType: string({ enum: ['AES256', 'KMS', 'KMS_DSSE'] }),
      kmsKey: string({ min: 0, max: 2048, pattern: '^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\\/[a-z0-9-]+' }),
    },
    ['encryptionType'],
  ),
  resourceTags: tagList,
  imageTagMutability,
  imageTagMutabilityExclusionFilters,
  repositoryPolicy: policyText,
  lifecyclePolicy: string({ min: 0, max: 30720 }),
  appliedFor: list(string({ enum: ['REPLICATION', 'PULL_THROUGH_CACHE', 'CREATE_ON_PUSH'] })),
  customRoleArn: string({ max: 2048 }),
};

const templates: Record<string, StructureSpec> = {
  CreateRepositoryCreationTemplate: structure(templateMembers, ['prefix', 'appliedFor']),
  DescribeRepositoryCreationTemplates: structure({ prefixes: list(templatePrefix), nextToken, maxResults }),
  UpdateRepositoryCreationTemplate: structure(templateMembers, ['prefix']),
  DeleteRepositoryCreationTemplate: structure({ prefix: templatePrefix }, ['prefix']),
};

const accountSettingName = string({ min: 1, max: 64 });

const settings: Record<string, StructureSpec> = {
  GetAccountSetting: structure({ name: accountSettingName }, ['name']),
  PutAccountSetting: structure({ name: accountSettingName, value: string() }, ['name', 'value']),
  BatchGetRepositoryScanningConfiguration: structure({ repositoryNames: list(repositoryName, { min: 1, max: 25 }) }, ['repositoryNames']),
};

// Registry scanning rules (at most 2, each with up to 100 WILDCARD filters on
// repository names) and pull time update exclusions (IAM user or role ARNs).
const scanningRepositoryFilter = structure(
  {
    filter: string({ min: 1, max: 255, pattern: '^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$' }),
    filterType: string({ enum: ['WILDCARD'] }),
  },
  ['filter', 'filterType'],
);
const registryScanningRule = structure(
  { scanFrequency: string({ enum: ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL'] }), repositoryFilters: list(scanningRepositoryFilter, { min: 0, max: 100 }) },
  ['scanFrequency', 'repositoryFilters'],
);
const principalArn = string({ max: 200, pattern: '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\\w+=,.@-]+(/[\\w+=,.@-]+)*$' });

const scanning: Record<string, StructureSpec> = {
  GetRegistryScanningConfiguration: none,
  PutRegistryScanningConfiguration: structure({ scanType: string({ enum: ['BASIC', 'ENHANCED'] }), rules: list(registryScanningRule, { min: 0, max: 2 }) }),
  RegisterPullTimeUpdateExclusion: structure({ principalArn }, ['principalArn']),
  DeregisterPullTimeUpdateExclusion: structure({ principalArn }, ['principalArn']),
  ListPullTimeUpdateExclusions: structure({ maxResults, nextToken }),
};

export const ECR_INPUT_SHAPES: Readonly<Record<string, StructureSpec>> = {
  ...repositories,
  ...images,
  ...layers,
  ...registry,
  ...templates,
  ...settings,
  ...scanning,
};
