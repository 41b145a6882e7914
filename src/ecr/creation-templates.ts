// CreateRepositoryCreationTemplate, DescribeRepositoryCreationTemplates,
// UpdateRepositoryCreationTemplate and DeleteRepositoryCreationTemplate with ECR's
// shapes. Input has passed ecr-validation.ts (the model's constraints, tag limits);
// here are the rules the model cannot say: a template applies to at least one
// scenario, its policies are documents Berth can use, a KMS key needs a KMS
// encryption type, and a custom role is an IAM role of this account.
import { parsePolicyDocument, PolicyDocumentError } from '../auth/policy/policy-document.ts';
import { LifecyclePolicyError, parseLifecyclePolicy } from '../lifecycle/lifecycle-policy-grammar.ts';
import { ROOT_PREFIX } from '../registry/creation-templates.ts';
import { templateKey, type CreationTemplateRecord, type TemplateScenario } from '../storage/meta/creation-template-store.ts';
import type { EncryptionConfiguration, ImageTagMutability, TagMutabilityExclusionFilter } from '../storage/meta/repository-settings.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';

const DEFAULT_PAGE = 100;
const MAX_POLICY_LENGTH = 10_240;

/** The request members a template is made of (Create and Update share them). */
interface TemplateInput {
  readonly description?: string;
  readonly encryptionConfiguration?: EncryptionConfiguration;
  readonly resourceTags?: ReadonlyArray<{ Key: string; Value: string }>;
  readonly imageTagMutability?: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters?: readonly TagMutabilityExclusionFilter[];
  readonly repositoryPolicy?: string;
  readonly lifecyclePolicy?: string;
  readonly appliedFor?: readonly TemplateScenario[];
  readonly customRoleArn?: string;
}

export function templateShape(template: CreationTemplateRecord): object {
  return {
    prefix: template.prefix,
    ...(template.description !== undefined ? { description: template.description } : {}),
    encryptionConfiguration: template.encryption,
    resourceTags: Object.entries(template.resourceTags).map(([Key, Value]) => ({ Key, Value })),
    imageTagMutability: template.imageTagMutability,
    ...(template.imageTagMutabilityExclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters } : {}),
    ...(template.repositoryPolicy !== undefined ? { repositoryPolicy: template.repositoryPolicy } : {}),
    ...(template.lifecyclePolicy !== undefined ? { lifecyclePolicy: template.lifecyclePolicy } : {}),
    appliedFor: template.appliedFor,
    ...(template.customRoleArn !== undefined ? { customRoleArn: template.customRoleArn } : {}),
    createdAt: template.createdAt,
    updatedAt: template.updatedAt,
  };
}

function invalid(member: string, constraint: string): EcrError {
  return new EcrError('InvalidParameterException', `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`);
}

/** An empty string clears an optional text member. */
function text(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function checkAppliedFor(appliedFor: readonly TemplateScenario[]): readonly TemplateScenario[] {
  if (appliedFor.length === 0) {
    throw new EcrError('ValidationException', 'appliedFor must name at least one of REPLICATION, PULL_THROUGH_CACHE, CREATE_ON_PUSH');
  }
  return [...new Set(appliedFor)];
}

function checkRepositoryPolicy(policy: string | undefined): void {
  if (policy === undefined) return;
  try {
    parsePolicyDocument(policy, { kind: 'resource', name: 'repository policy', maxLength: MAX_POLICY_LENGTH });
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw invalid('repositoryPolicy', `Invalid repository policy provided: ${error.message}`);
    throw error;
  }
}

/** A template's lifecycle policy is checked as PutLifecyclePolicy checks one: repositories get it as it is. */
function checkLifecyclePolicy(policy: string | undefined): void {
  if (policy === undefined) return;
  try {
    parseLifecyclePolicy(policy);
  } catch (error) {
    if (error instanceof LifecyclePolicyError) throw invalid('lifecyclePolicy', `Lifecycle policy validation failure: ${error.reason}`);
    throw error;
  }
}

function checkEncryption(encryption: EncryptionConfiguration): EncryptionConfiguration {
  const kmsKey = 'kmsKey' in encryption ? text(encryption.kmsKey) : undefined;
  if (encryption.encryptionType === 'AES256') {
    if (kmsKey !== undefined) throw invalid('encryptionConfiguration', 'A KMS key can only be specified with the KMS or KMS_DSSE encryption type');
    return { encryptionType: 'AES256' };
  }
  return { encryptionType: encryption.encryptionType, ...(kmsKey !== undefined ? { kmsKey } : {}) };
}

function checkCustomRole(context: EcrContext, arn: string | undefined): void {
  if (arn === undefined) return;
  const match = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@\/-]+$/.exec(arn);
  if (!match || match[1] !== context.accountId) {
    throw new EcrError('ValidationException', `customRoleArn '${arn}' must be the ARN of an IAM role in the account '${context.accountId}'`);
  }
}

function tagsOf(input: TemplateInput): Record<string, string> {
  return Object.fromEntries((input.resourceTags ?? []).map((tag) => [tag.Key, tag.Value]));
}

/** The template's settings from the request, over `base` (a new template's defaults, or the stored template). */
function applyInput(context: EcrContext, base: CreationTemplateRecord, input: TemplateInput): CreationTemplateRecord {
  const mutabilityGiven = input.imageTagMutability !== undefined || input.imageTagMutabilityExclusionFilters !== undefined;
  const description = input.description !== undefined ? text(input.description) : base.description;
  const repositoryPolicy = input.repositoryPolicy !== undefined ? text(input.repositoryPolicy) : base.repositoryPolicy;
  const lifecyclePolicy = input.lifecyclePolicy !== undefined ? text(input.lifecyclePolicy) : base.lifecyclePolicy;
  const customRoleArn = input.customRoleArn !== undefined ? text(input.customRoleArn) : base.customRoleArn;
  if (input.repositoryPolicy !== undefined) checkRepositoryPolicy(repositoryPolicy);
  if (input.lifecyclePolicy !== undefined) checkLifecyclePolicy(lifecyclePolicy);
  if (input.customRoleArn !== undefined) checkCustomRole(context, customRoleArn);
  const { description: _d, repositoryPolicy: _r, lifecyclePolicy: _l, customRoleArn: _c, ...rest } = base;
  return {
    ...rest,
    ...(description !== undefined ? { description } : {}),
    encryption: input.encryptionConfiguration !== undefined ? checkEncryption(input.encryptionConfiguration) : base.encryption,
    resourceTags: input.resourceTags !== undefined ? tagsOf(input) : base.resourceTags,
    // Mutability and its exclusion filters are one setting: giving either replaces both.
    imageTagMutability: input.imageTagMutability ?? base.imageTagMutability,
    imageTagMutabilityExclusionFilters: mutabilityGiven ? (input.imageTagMutabilityExclusionFilters ?? []) : base.imageTagMutabilityExclusionFilters,
    ...(repositoryPolicy !== undefined ? { repositoryPolicy } : {}),
    ...(lifecyclePolicy !== undefined ? { lifecyclePolicy } : {}),
    appliedFor: input.appliedFor !== undefined ? checkAppliedFor(input.appliedFor) : base.appliedFor,
    ...(customRoleArn !== undefined ? { customRoleArn } : {}),
  };
}

function templateNotFound(context: EcrContext, prefix: string): EcrError {
  return new EcrError('TemplateNotFoundException', `The repository creation template with prefix '${prefix}' does not exist in the registry with id '${context.accountId}'`);
}

export async function createRepositoryCreationTemplate(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const prefix = String(input['prefix']);
  const now = context.now();
  const fresh: CreationTemplateRecord = {
    accountId: context.accountId,
    prefix,
    encryption: { encryptionType: 'AES256' },
    resourceTags: {},
    imageTagMutability: 'MUTABLE',
    imageTagMutabilityExclusionFilters: [],
    appliedFor: [],
    createdAt: now,
    updatedAt: now,
  };
  const template = applyInput(context, fresh, input as TemplateInput);
  if (!(await context.metadata.creationTemplates.create(template))) {
    throw new EcrError(
      'TemplateAlreadyExistsException',
      `A repository creation template with prefix '${templateKey(prefix)}' already exists in the registry with id '${context.accountId}'`,
    );
  }
  return { registryId: context.accountId, repositoryCreationTemplate: templateShape(template) };
}

export async function updateRepositoryCreationTemplate(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const prefix = String(input['prefix']);
  const current = await context.metadata.creationTemplates.get(context.accountId, prefix);
  if (!current) throw templateNotFound(context, prefix);
  const template = { ...applyInput(context, current, input as TemplateInput), updatedAt: context.now() };
  if (!(await context.metadata.creationTemplates.update(template))) throw templateNotFound(context, prefix);
  return { registryId: context.accountId, repositoryCreationTemplate: templateShape(template) };
}

export async function deleteRepositoryCreationTemplate(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const prefix = String(input['prefix']);
  const current = await context.metadata.creationTemplates.get(context.accountId, prefix);
  if (!current || !(await context.metadata.creationTemplates.delete(context.accountId, prefix))) throw templateNotFound(context, prefix);
  return { registryId: context.accountId, repositoryCreationTemplate: templateShape(current) };
}

export async function describeRepositoryCreationTemplates(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const limit = (input['maxResults'] as number | undefined) ?? DEFAULT_PAGE;
  const after = decodeToken(input['nextToken']);
  const prefixes = input['prefixes'] as string[] | undefined;
  let page: CreationTemplateRecord[];
  if (prefixes && prefixes.length > 0) {
    // Named templates that do not exist are left out, not an error (the operation has no TemplateNotFound).
    const keys = [...new Set(prefixes.map(templateKey))].sort().filter((key) => after === undefined || key > after);
    const found = await Promise.all(keys.map((key) => context.metadata.creationTemplates.get(context.accountId, key)));
    page = found.filter((template) => template !== undefined).slice(0, limit + 1);
  } else {
    page = await context.metadata.creationTemplates.list(context.accountId, { limit: limit + 1, ...(after !== undefined ? { after } : {}) });
  }
  const shown = page.slice(0, limit);
  return {
    registryId: context.accountId,
    repositoryCreationTemplates: shown.map(templateShape),
    ...(page.length > limit ? { nextToken: encodeToken(templateKey(shown[shown.length - 1]!.prefix)) } : {}),
  };
}

/** Page tokens are opaque to clients: the last prefix shown (without its slash), base64url-encoded. */
function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

const TEMPLATE_KEY = /^(?:[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*)$/;

function decodeToken(token: unknown): string | undefined {
  if (typeof token !== 'string' || token === '') return undefined;
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (key !== ROOT_PREFIX && !TEMPLATE_KEY.test(key)) {
    throw new EcrError('InvalidParameterException', "Invalid parameter at 'nextToken' failed to satisfy constraint: 'the token is not one this registry issued'");
  }
  return key;
}
