// The shapes shared by the lifecycle policy grammar, its pure evaluator and the
// service that runs it (previews, scheduled and on-demand runs). ECR's policy JSON
// (../docs: "Lifecycle policy JSON grammar") parsed into these, never used raw.

export type LifecycleTagStatus = 'tagged' | 'untagged' | 'any';
export type LifecycleCountType = 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';

export interface LifecycleSelection {
  readonly tagStatus: LifecycleTagStatus;
  /** tagged only: every prefix must begin some tag of the image (ECR combines them with AND). */
  readonly tagPrefixList?: readonly string[];
  /** tagged only: every pattern ('*' wildcards) must match some tag of the image (AND). */
  readonly tagPatternList?: readonly string[];
  readonly storageClass?: 'standard' | 'archive';
  readonly countType: LifecycleCountType;
  readonly countUnit?: 'days';
  readonly countNumber: number;
}

export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: LifecycleSelection;
  readonly action: { readonly type: 'expire' | 'transition'; readonly targetStorageClass?: 'archive' };
}

export interface LifecyclePolicy {
  /** In the order the document lists them; evaluation orders by rulePriority. */
  readonly rules: readonly LifecycleRule[];
}

/** What the evaluator knows of one manifest of the repository. */
export interface LifecycleImage {
  readonly digest: string;
  /** Tags pointing at it (empty: untagged). */
  readonly tags: readonly string[];
  readonly pushedAt: Date;
  readonly lastPulledAt?: Date;
  readonly mediaType: string;
  readonly artifactType?: string;
  /** Manifests an index lists (empty for an image manifest). */
  readonly children: readonly string[];
  /** The manifest this one refers to (signature, SBOM, attestation …), when it has one. */
  readonly subject?: string;
  /** What DescribeImages reports as imageSizeInBytes. */
  readonly sizeInBytes: number;
}

/** Why an image expires: a rule selected it, or it goes with an image a rule selected. */
export type LifecycleExpiryReason = 'rule' | 'index-child' | 'referrer';

export interface LifecycleExpiry {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date;
  /** The rule that expired it, or for index-child/referrer the rule that expired the image it goes with. */
  readonly rulePriority: number;
  readonly reason: LifecycleExpiryReason;
  /** For index-child and referrer: the expired image that carried this one along. */
  readonly via?: string;
}
