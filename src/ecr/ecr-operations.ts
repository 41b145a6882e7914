// The ECR operations Berth answers, by name. Everything else in the ECR API answers
// UnsupportedOperationException until it is built.
import { getAuthorizationToken } from './authorization-token.ts';
import type { EcrHandler } from './ecr-context.ts';
import { batchGetImage, describeImages, listImages } from './images.ts';
import { batchCheckLayerAvailability, batchDeleteImage, putImage } from './image-writes.ts';
import { completeLayerUpload, getDownloadUrlForLayer, initiateLayerUpload, uploadLayerPart } from './layers.ts';
import { listTagsForResource, putImageScanningConfiguration, putImageTagMutability, tagResource, untagResource } from './repository-settings-ops.ts';
import { deleteRegistryPolicy, deleteRepositoryPolicy, getRegistryPolicy, getRepositoryPolicy, putRegistryPolicy, setRepositoryPolicy } from './policies.ts';
import { listImageReferrers } from './referrers.ts';
import { deleteLifecyclePolicy, getLifecyclePolicy, getLifecyclePolicyPreview, putLifecyclePolicy, startLifecyclePolicyPreview } from './lifecycle-policies.ts';
import { createRepository, deleteRepository, describeRepositories } from './repositories.ts';
import {
  createRepositoryCreationTemplate,
  deleteRepositoryCreationTemplate,
  describeRepositoryCreationTemplates,
  updateRepositoryCreationTemplate,
} from './creation-templates.ts';
import { describeRegistry, getAccountSetting, putAccountSetting } from './registry-settings.ts';
import { batchGetRepositoryScanningConfiguration } from './scanning.ts';
import { getRegistryScanningConfiguration, putRegistryScanningConfiguration } from './registry-scanning.ts';
import { deregisterPullTimeUpdateExclusion, listPullTimeUpdateExclusions, registerPullTimeUpdateExclusion } from './pull-time-exclusions.ts';

export const ECR_HANDLERS: ReadonlyMap<string, EcrHandler> = new Map<string, EcrHandler>([
  ['CreateRepository', createRepository],
  ['DescribeRepositories', describeRepositories],
  ['DeleteRepository', deleteRepository],
  ['GetAuthorizationToken', (context) => getAuthorizationToken(context)],
  ['ListImages', listImages],
  ['DescribeImages', describeImages],
  ['BatchGetImage', batchGetImage],
  ['ListImageReferrers', listImageReferrers],
  ['PutImage', putImage],
  ['BatchDeleteImage', batchDeleteImage],
  ['BatchCheckLayerAvailability', batchCheckLayerAvailability],
  ['InitiateLayerUpload', initiateLayerUpload],
  ['UploadLayerPart', uploadLayerPart],
  ['CompleteLayerUpload', completeLayerUpload],
  ['GetDownloadUrlForLayer', getDownloadUrlForLayer],
  ['PutImageTagMutability', putImageTagMutability],
  ['PutImageScanningConfiguration', putImageScanningConfiguration],
  ['TagResource', tagResource],
  ['UntagResource', untagResource],
  ['ListTagsForResource', listTagsForResource],
  ['SetRepositoryPolicy', setRepositoryPolicy],
  ['GetRepositoryPolicy', getRepositoryPolicy],
  ['DeleteRepositoryPolicy', deleteRepositoryPolicy],
  ['PutRegistryPolicy', putRegistryPolicy],
  ['GetRegistryPolicy', (context) => getRegistryPolicy(context)],
  ['DeleteRegistryPolicy', (context) => deleteRegistryPolicy(context)],
  ['CreateRepositoryCreationTemplate', createRepositoryCreationTemplate],
  ['DescribeRepositoryCreationTemplates', describeRepositoryCreationTemplates],
  ['UpdateRepositoryCreationTemplate', updateRepositoryCreationTemplate],
  ['DeleteRepositoryCreationTemplate', deleteRepositoryCreationTemplate],
  ['GetAccountSetting', getAccountSetting],
  ['PutAccountSetting', putAccountSetting],
  ['DescribeRegistry', (context) => describeRegistry(context)],
  ['BatchGetRepositoryScanningConfiguration', batchGetRepositoryScanningConfiguration],
  ['GetRegistryScanningConfiguration', (context) => getRegistryScanningConfiguration(context)],
  ['PutRegistryScanningConfiguration', putRegistryScanningConfiguration],
  ['RegisterPullTimeUpdateExclusion', registerPullTimeUpdateExclusion],
  ['DeregisterPullTimeUpdateExclusion', deregisterPullTimeUpdateExclusion],
  ['ListPullTimeUpdateExclusions', listPullTimeUpdateExclusions],
  ['PutLifecyclePolicy', putLifecyclePolicy],
  ['GetLifecyclePolicy', getLifecyclePolicy],
  ['DeleteLifecyclePolicy', deleteLifecyclePolicy],
  ['StartLifecyclePolicyPreview', startLifecyclePolicyPreview],
  ['GetLifecyclePolicyPreview', getLifecyclePolicyPreview],
]);
