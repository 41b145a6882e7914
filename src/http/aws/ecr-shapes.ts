// The vocabulary of our ECR input tables: a compact description of a request member's
// type and constraints (what the ECR model calls min, max, pattern and enum), plus the
// shapes several operations share. Values are transcribed from the ECR API model
// (botocore 1.43.11); test/unit/http/aws/ecr-model-crosscheck.test.ts compares them
// with the model file when one is installed.

export interface StringSpec {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
}
export interface NumberSpec {
  readonly type: 'integer' | 'long';
  readonly min?: number;
  readonly max?: number;
}
export interface BooleanSpec {
  readonly type: 'boolean';
}
/** Base64 text on the wire; min and max count decoded bytes. */
export interface BlobSpec {
  readonly type: 'blob';
  readonly min?: number;
  readonly max?: number;
}
export interface ListSpec {
  readonly type: 'list';
  readonly member: Spec;
  readonly min?: number;
  readonly max?: number;
}
export interface StructureSpec {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, Spec>>;
  readonly required?: readonly string[];
}
export type Spec = StringSpec | NumberSpec | BooleanSpec | BlobSpec | ListSpec | StructureSpec;

type Limits = { readonly min?: number; readonly max?: number };

export const string = (constraints: Omit<StringSpec, 'type'> = {}): StringSpec => ({ type: 'string', ...constraints });
export const integer = (limits: Limits = {}): NumberSpec => ({ type: 'integer', ...limits });
export const long = (limits: Limits = {}): NumberSpec => ({ type: 'long', ...limits });
export const boolean: BooleanSpec = { type: 'boolean' };
export const blob = (limits: Limits = {}): BlobSpec => ({ type: 'blob', ...limits });
export const list = (member: Spec, limits: Limits = {}): ListSpec => ({ type: 'list', member, ...limits });
export const structure = (members: Record<string, Spec>, required: readonly string[] = []): StructureSpec =>
  required.length === 0 ? { type: 'structure', members } : { type: 'structure', members, required };

// Shapes shared by many operations.
export const REPOSITORY_NAME_PATTERN = '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*';
export const repositoryName = string({ min: 2, max: 256, pattern: REPOSITORY_NAME_PATTERN });
export const registryId = string({ pattern: '[0-9]{12}' });
export const nextToken = string();
export const maxResults = integer({ min: 1, max: 1000 });
export const arn = string();
export const tag = structure({ Key: string(), Value: string() }, ['Key', 'Value']);
export const tagList = list(tag);
export const imageTagMutability = string({ enum: ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'] });
export const imageTagMutabilityExclusionFilters = list(
  structure(
    {
      filterType: string({ enum: ['WILDCARD'] }),
      filter: string({ min: 1, max: 128, pattern: '^[0-9a-zA-Z._*-]{1,128}$' }),
    },
    ['filterType', 'filter'],
  ),
  { min: 1, max: 5 },
);
export const imageScanningConfiguration = structure({ scanOnPush: boolean });
export const imageIdentifier = structure({ imageDigest: string(), imageTag: string({ min: 1, max: 300 }) });
export const imageIdentifierList = list(imageIdentifier, { min: 1, max: 100 });
export const mediaType = string();
export const tagStatus = string({ enum: ['TAGGED', 'UNTAGGED', 'ANY'] });
export const imageStatusFilter = string({ enum: ['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'] });
export const uploadId = string({ pattern: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}' });
export const layerDigest = string({ pattern: '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+' });
export const partSize = long({ min: 0 });
export const policyText = string({ min: 0, max: 10240 });

/** The members every repository-scoped request has. */
export const inRepository = { registryId, repositoryName } as const;
