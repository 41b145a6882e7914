// Test data for the ECR input validator: a minimal valid input per operation, and a
// generator that derives, from a shape, one violating input per constraint.
import type { Spec, StructureSpec } from '../../../../src/http/aws/ecr-shapes.ts';

export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const UPLOAD_ID = '0d6f3a62-1d7a-4c8e-9a55-3b8f1f0c2e11';
const repo = { repositoryName: 'team-a/app' };

export const MINIMAL: Readonly<Record<string, Record<string, unknown>>> = {
  CreateRepository: repo,
  DescribeRepositories: {},
  DeleteRepository: repo,
  PutImageTagMutability: { ...repo, imageTagMutability: 'IMMUTABLE' },
  PutImageScanningConfiguration: { ...repo, imageScanningConfiguration: {} },
  TagResource: { resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/team-a/app', tags: [] },
  UntagResource: { resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/team-a/app', tagKeys: [] },
  ListTagsForResource: { resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/team-a/app' },
  ListImages: repo,
  DescribeImages: repo,
  BatchGetImage: { ...repo, imageIds: [{ imageTag: 'latest' }] },
  PutImage: { ...repo, imageManifest: '{}' },
  BatchDeleteImage: { ...repo, imageIds: [{ imageDigest: DIGEST }] },
  ListImageReferrers: { ...repo, subjectId: { imageDigest: DIGEST } },
  BatchCheckLayerAvailability: { ...repo, layerDigests: [DIGEST] },
  InitiateLayerUpload: repo,
  UploadLayerPart: { ...repo, uploadId: UPLOAD_ID, partFirstByte: 0, partLastByte: 2, layerPartBlob: 'AAEC' },
  CompleteLayerUpload: { ...repo, uploadId: UPLOAD_ID, layerDigests: [DIGEST] },
  GetDownloadUrlForLayer: { ...repo, layerDigest: DIGEST },
  GetAuthorizationToken: {},
  SetRepositoryPolicy: { ...repo, policyText: '{"Version":"2012-10-17","Statement":[]}' },
  GetRepositoryPolicy: repo,
  DeleteRepositoryPolicy: repo,
  PutRegistryPolicy: { policyText: '{"Version":"2012-10-17","Statement":[]}' },
  GetRegistryPolicy: {},
  DeleteRegistryPolicy: {},
  DescribeRegistry: {},
  PutLifecyclePolicy: { ...repo, lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }] }) },
  GetLifecyclePolicy: repo,
  DeleteLifecyclePolicy: repo,
  StartLifecyclePolicyPreview: repo,
  GetLifecyclePolicyPreview: repo,
  CreateRepositoryCreationTemplate: { prefix: 'ROOT', appliedFor: ['CREATE_ON_PUSH'] },
  DescribeRepositoryCreationTemplates: {},
  UpdateRepositoryCreationTemplate: { prefix: 'team-a/' },
  DeleteRepositoryCreationTemplate: { prefix: 'team-a' },
  GetAccountSetting: { name: 'BLOB_MOUNTING' },
  PutAccountSetting: { name: 'BLOB_MOUNTING', value: 'DISABLED' },
  BatchGetRepositoryScanningConfiguration: { repositoryNames: ['team-a/app'] },
  GetRegistryScanningConfiguration: {},
  PutRegistryScanningConfiguration: {},
  RegisterPullTimeUpdateExclusion: { principalArn: 'arn:aws:iam::123456789012:role/scanner' },
  DeregisterPullTimeUpdateExclusion: { principalArn: 'arn:aws:iam::123456789012:user/ci/bot' },
  ListPullTimeUpdateExclusions: {},
};

/** A valid value for each pattern in the tables. */
const PATTERN_SAMPLES: Readonly<Record<string, string>> = {
  '[0-9]{12}': '123456789012',
  '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+': DIGEST,
  '^[0-9a-zA-Z._*-]{1,128}$': 'release-*',
  '^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\\/[a-z0-9-]+': 'arn:aws:kms:us-east-1:123456789012:key/k-1',
  '^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$': 'team-*/app',
  '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\\w+=,.@-]+(/[\\w+=,.@-]+)*$': 'arn:aws:iam::123456789012:role/scanner',
};

function sampleString(spec: Extract<Spec, { type: 'string' }>): string {
  if (spec.enum) return spec.enum[0]!;
  if (spec.pattern) return PATTERN_SAMPLES[spec.pattern] ?? (spec.pattern.startsWith('[0-9a-fA-F]{8}') ? UPLOAD_ID : 'team-a/app');
  return 'x'.repeat(Math.max(spec.min ?? 1, 1));
}

/** A valid value with every member present (lists get one element). */
export function sample(spec: Spec): unknown {
  switch (spec.type) {
    case 'string':
      return sampleString(spec);
    case 'integer':
    case 'long':
      return spec.min ?? 1;
    case 'boolean':
      return true;
    case 'blob':
      return 'AAEC';
    case 'list':
      return [sample(spec.member)];
    case 'structure':
      return Object.fromEntries(Object.entries(spec.members).map(([name, member]) => [name, sample(member)]));
  }
}

export interface Violation {
  readonly label: string;
  /** The input with every member set and one value broken (or removed). */
  readonly input: Record<string, unknown>;
  readonly path: string;
  readonly member: string;
  /** The constraint text expected in the message, or 'serialization' for a type error. */
  readonly expect: string;
}

type Seg = string | number;

function put(root: Record<string, unknown>, segs: readonly Seg[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let at: Record<string | number, unknown> = copy;
  for (const seg of segs.slice(0, -1)) at = at[seg] as Record<string | number, unknown>;
  const last = segs.at(-1)!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

function pathOf(segs: readonly Seg[]): string {
  return segs.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

/** One violation per constraint of `shape`, each applied to a fully populated valid input. */
export function violations(shape: StructureSpec): Violation[] {
  const root = sample(shape) as Record<string, unknown>;
  const out: Violation[] = [];
  const add = (segs: Seg[], member: string, value: unknown, expect: string, label: string): void => {
    out.push({ label: `${pathOf(segs)}: ${label}`, input: put(root, segs, value), path: pathOf(segs), member, expect });
  };
  const walk = (spec: Spec, segs: Seg[], member: string, element: boolean): void => {
    const wrap = (text: string, elementText = `Member ${text}`): string => (element ? `Member must satisfy constraint: [${elementText}]` : text);
    const wrongType = spec.type === 'string' || spec.type === 'blob' ? 42 : spec.type === 'list' ? {} : spec.type === 'structure' ? [] : 'x';
    add(segs, member, wrongType, 'serialization', 'wrong JSON type');
    switch (spec.type) {
      case 'string':
        if (spec.enum) add(segs, member, 'NOT_A_VALUE', wrap(`must satisfy enum value set: [${spec.enum.join(', ')}]`), 'enum');
        if (spec.min) add(segs, member, 'x'.repeat(spec.min - 1), wrap(`must have length greater than or equal to ${spec.min}`), 'too short');
        if (spec.max !== undefined) add(segs, member, 'a'.repeat(spec.max + 1), wrap(`must have length less than or equal to ${spec.max}`), 'too long');
        if (spec.pattern) {
          const bad = '!'.repeat(Math.max(spec.min ?? 2, 2));
          add(segs, member, bad, wrap(`must satisfy regular expression '${spec.pattern}'`, `Member must satisfy regular expression pattern: ${spec.pattern}`), 'pattern');
        }
        return;
      case 'integer':
      case 'long':
        if (spec.min !== undefined) add(segs, member, spec.min - 1, wrap(`must have value greater than or equal to ${spec.min}`), 'below minimum');
        if (spec.max !== undefined) add(segs, member, spec.max + 1, wrap(`must have value less than or equal to ${spec.max}`), 'above maximum');
        return;
      case 'blob':
        if (spec.max !== undefined) add(segs, member, Buffer.alloc(spec.max + 1).toString('base64'), `must have length less than or equal to ${spec.max}`, 'too many bytes');
        add(segs, member, 'not base64!', 'serialization', 'invalid base64');
        return;
      case 'list':
        if (spec.min) add(segs, member, [], `Member must have length greater than or equal to ${spec.min}`, 'too few items');
        if (spec.max !== undefined) add(segs, member, Array.from({ length: spec.max + 1 }, () => sample(spec.member)), `Member must have length less than or equal to ${spec.max}`, 'too many items');
        add([...segs, 0], member, null, 'Member must satisfy constraint: [Member must not be null]', 'null item');
        walk(spec.member, [...segs, 0], member, spec.member.type !== 'structure');
        return;
      case 'structure':
        for (const [name, child] of Object.entries(spec.members)) {
          if (spec.required?.includes(name)) add([...segs, name], name, undefined, 'must not be null', 'missing');
          walk(child, [...segs, name], name, false);
        }
        return;
      case 'boolean':
        return;
    }
  };
  for (const [name, child] of Object.entries(shape.members)) {
    if (shape.required?.includes(name)) add([name], name, undefined, 'must not be null', 'missing');
    walk(child, [name], name, false);
  }
  return out;
}
