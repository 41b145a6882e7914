// ECR's lifecycle policy grammar: the JSON text of PutLifecyclePolicy (and of
// StartLifecyclePolicyPreview) parsed into a LifecyclePolicy, or refused with the
// message ECR gives. ECR checks the text in two passes and so does this module:
// first a JSON-schema pass (its messages are the schema validator's: "object has
// missing required properties", "instance value (x) not found in enum", "instance
// failed to match exactly one schema (matched 0 out of 2)" for a countType /
// countUnit combination that fits neither branch …), then the rules ECR states in
// prose (tagged needs a tag list, one untagged rule, 'any' last …), whose messages
// are the ones users quote from ECR ("Only one rule can select Untagged images per
// storage class.", "Must specify tagPrefixList or tagPatternList when
// tagStatus=TAGGED." …). The first problem found is reported, in document order.
//
// Where Berth differs from ECR (docs/lifecycle.md):
// - sinceImagePulled works with action "expire". ECR today accepts sinceImagePulled
//   only with action "transition" (to its archive class); Berth has no archive
//   class, so expiring on pull age is the only useful reading, and it is what the
//   issue asks for.
// - Anything about the archive class (countType sinceImageTransitioned,
//   storageClass "archive", action "transition", targetStorageClass) is refused
//   with a message saying Berth has no archive storage class. storageClass
//   "standard", ECR's default, is accepted.
// - A rule may not carry both tagPrefixList and tagPatternList: ECR documents each
//   as the alternative to the other and its console offers them as two choices,
//   but says nothing of how both would combine.
// The text's length (100..30,720) is the caller's check, as in ECR's model.
import { wildcardCount } from './tag-pattern.ts';
import type {
  LifecycleCountType,
  LifecyclePolicy,
  LifecycleRule,
  LifecycleSelection,
  LifecycleTagStatus,
} from './lifecycle-types.ts';

const MESSAGE_PREFIX =
  "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

/** A refused policy. `message` is the full text ECR's InvalidParameterException carries. */
export class LifecyclePolicyError extends Error {
  /** The part after "Lifecycle policy validation failure: ", for logs and tests. */
  readonly reason: string;

  constructor(reason: string) {
    super(`${MESSAGE_PREFIX}${reason}'`);
    this.name = 'LifecyclePolicyError';
    this.reason = reason;
  }
}

/** ECR's quota of rules in one policy. */
export const MAX_RULES_PER_POLICY = 50;
/** At most this many '*' in one tagPatternList entry (ECR's documented limit). */
export const MAX_WILDCARDS_PER_PATTERN = 4;
/** Entries in one tagPrefixList or tagPatternList. */
export const MAX_TAG_LIST_ENTRIES = 100;
/** An image tag is at most 128 characters (OCI distribution); so is a prefix or pattern. */
export const MAX_TAG_LIST_ENTRY_LENGTH = 128;
/** rulePriority and countNumber are 32-bit integers in ECR's schema. */
const MAX_INT32 = 2_147_483_647;

const TAG_STATUSES: readonly LifecycleTagStatus[] = ['any', 'tagged', 'untagged'];
const COUNT_TYPES: readonly LifecycleCountType[] = [
  'imageCountMoreThan',
  'sinceImagePulled',
  'sinceImagePushed',
  'sinceImageTransitioned',
];
const ACTION_TYPES = ['expire', 'transition'] as const;
const STORAGE_CLASSES = ['archive', 'standard'] as const;

const POLICY_KEYS = ['rules'];
const RULE_KEYS = ['action', 'description', 'rulePriority', 'selection'];
const RULE_REQUIRED = ['action', 'rulePriority', 'selection'];
const SELECTION_KEYS = [
  'countNumber',
  'countType',
  'countUnit',
  'storageClass',
  'tagPatternList',
  'tagPrefixList',
  'tagStatus',
];
const SELECTION_REQUIRED = ['countNumber', 'countType', 'tagStatus'];
const ACTION_KEYS = ['targetStorageClass', 'type'];
const ACTION_REQUIRED = ['type'];

// The schema validator's sentences, in ECR's rendering of them.
const COULD_NOT_MAP = 'Could not map policyString into LifecyclePolicy.';
const NO_COUNT_BRANCH = 'instance failed to match exactly one schema (matched 0 out of 2)';
const TAGGED_NEEDS_TAGS = 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.';
const ONE_UNTAGGED_RULE = 'Only one rule can select Untagged images per storage class.';
const ANY_RULE_LAST = 'Rule for tagStatus=ANY must have the lowest priority per storage class.';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Parse and validate ECR lifecycle policy text; throws LifecyclePolicyError. */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let document: Json;
  try {
    document = JSON.parse(text) as Json;
  } catch {
    throw new LifecyclePolicyError(COULD_NOT_MAP);
  }
  if (!isObject(document)) throw new LifecyclePolicyError(COULD_NOT_MAP);
  checkKeys(document, POLICY_KEYS, POLICY_KEYS);
  const rulesValue = document['rules']!;
  if (!Array.isArray(rulesValue)) throw typeMismatch(rulesValue, 'array');
  if (rulesValue.length === 0) {
    throw new LifecyclePolicyError('array is too short: must have at least 1 elements but instance has 0 elements');
  }
  if (rulesValue.length > MAX_RULES_PER_POLICY) {
    throw new LifecyclePolicyError(
      `array is too long: must have at most ${MAX_RULES_PER_POLICY} elements but instance has ${rulesValue.length} elements`,
    );
  }
  const rules = rulesValue.map(parseRule);
  checkAcrossRules(rules);
  return { rules };
}

function parseRule(value: Json): LifecycleRule {
  if (!isObject(value)) throw typeMismatch(value, 'object');
  checkKeys(value, RULE_KEYS, RULE_REQUIRED);
  const rulePriority = parseInteger(value['rulePriority']!);
  const description = value['description'];
  if (description !== undefined && typeof description !== 'string') throw typeMismatch(description, 'string');
  const selection = parseSelection(value['selection']!);
  parseAction(value['action']!);
  if (selection.countType === 'sinceImageTransitioned') {
    throw noArchive('countType sinceImageTransitioned');
  }
  return {
    rulePriority,
    ...(description === undefined ? {} : { description }),
    selection,
    action: { type: 'expire' },
  };
}

function parseSelection(value: Json): LifecycleSelection {
  if (!isObject(value)) throw typeMismatch(value, 'object');
  checkKeys(value, SELECTION_KEYS, SELECTION_REQUIRED);
  const tagStatus = parseEnum(value['tagStatus']!, TAG_STATUSES);
  const countType = value['countType']!;
  // ECR's schema has one branch for imageCountMoreThan (no countUnit) and one for
  // the since* types (countUnit required); a selection fitting neither fails both.
  if (typeof countType !== 'string' || !(COUNT_TYPES as readonly string[]).includes(countType)) {
    throw new LifecyclePolicyError(NO_COUNT_BRANCH);
  }
  const hasUnit = Object.hasOwn(value, 'countUnit');
  if (countType === 'imageCountMoreThan' ? hasUnit : !hasUnit) throw new LifecyclePolicyError(NO_COUNT_BRANCH);
  if (hasUnit) {
    const unit = value['countUnit']!;
    if (unit === null) throw new LifecyclePolicyError(NO_COUNT_BRANCH);
    parseEnum(unit, ['days'] as const);
  }
  const countNumber = parseInteger(value['countNumber']!);
  const tagPrefixList = parseTagList(value['tagPrefixList']);
  const tagPatternList = parseTagList(value['tagPatternList']);
  if (Object.hasOwn(value, 'storageClass')) {
    const storageClass = parseEnum(value['storageClass']!, STORAGE_CLASSES);
    if (storageClass === 'archive') throw noArchive('storageClass archive');
  }
  checkTagLists(tagStatus, tagPrefixList, tagPatternList);
  return {
    tagStatus,
    ...(tagPrefixList === undefined ? {} : { tagPrefixList }),
    ...(tagPatternList === undefined ? {} : { tagPatternList }),
    countType: countType as LifecycleCountType,
    ...(countType === 'imageCountMoreThan' ? {} : { countUnit: 'days' as const }),
    countNumber,
  };
}

function parseAction(value: Json): void {
  if (!isObject(value)) throw typeMismatch(value, 'object');
  checkKeys(value, ACTION_KEYS, ACTION_REQUIRED);
  const type = parseEnum(value['type']!, ACTION_TYPES);
  if (type === 'transition') throw noArchive('action type transition');
  // targetStorageClass belongs to the transition branch only.
  if (Object.hasOwn(value, 'targetStorageClass')) throw new LifecyclePolicyError(NO_COUNT_BRANCH);
}

function parseTagList(value: Json | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw typeMismatch(value, 'array');
  if (value.length > MAX_TAG_LIST_ENTRIES) {
    throw new LifecyclePolicyError(
      `array is too long: must have at most ${MAX_TAG_LIST_ENTRIES} elements but instance has ${value.length} elements`,
    );
  }
  return value.map((entry) => {
    if (typeof entry !== 'string') throw typeMismatch(entry, 'string');
    if (entry.length === 0) {
      throw new LifecyclePolicyError('string "" is too short (length: 0, required minimum: 1)');
    }
    if (entry.length > MAX_TAG_LIST_ENTRY_LENGTH) {
      throw new LifecyclePolicyError(
        `string ${JSON.stringify(entry)} is too long (length: ${entry.length}, maximum allowed: ${MAX_TAG_LIST_ENTRY_LENGTH})`,
      );
    }
    return entry;
  });
}

/** ECR's prose rules on the tag lists of one rule. An empty list counts as absent. */
function checkTagLists(
  tagStatus: LifecycleTagStatus,
  prefixes: readonly string[] | undefined,
  patterns: readonly string[] | undefined,
): void {
  const hasPrefixes = prefixes !== undefined && prefixes.length > 0;
  const hasPatterns = patterns !== undefined && patterns.length > 0;
  if (tagStatus !== 'tagged') {
    if (prefixes !== undefined || patterns !== undefined) {
      throw new LifecyclePolicyError(
        `tagPrefixList and tagPatternList can only be specified when tagStatus=TAGGED, not tagStatus=${tagStatus.toUpperCase()}.`,
      );
    }
    return;
  }
  if (!hasPrefixes && !hasPatterns) throw new LifecyclePolicyError(TAGGED_NEEDS_TAGS);
  if (hasPrefixes && hasPatterns) {
    throw new LifecyclePolicyError('Specify either tagPrefixList or tagPatternList in a rule, not both.');
  }
  for (const pattern of patterns ?? []) {
    const wildcards = wildcardCount(pattern);
    if (wildcards > MAX_WILDCARDS_PER_PATTERN) {
      throw new LifecyclePolicyError(
        `tagPatternList entry ${JSON.stringify(pattern)} has ${wildcards} wildcards; the maximum is ${MAX_WILDCARDS_PER_PATTERN} per pattern.`,
      );
    }
  }
}

/** The rules ECR states across a policy's rules. */
function checkAcrossRules(rules: readonly LifecycleRule[]): void {
  const seenPriorities = new Set<number>();
  for (const rule of rules) {
    if (seenPriorities.has(rule.rulePriority)) {
      throw new LifecyclePolicyError(
        `Rule priorities must be unique: rulePriority ${rule.rulePriority} is used by more than one rule.`,
      );
    }
    seenPriorities.add(rule.rulePriority);
  }
  if (rules.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1) {
    throw new LifecyclePolicyError(ONE_UNTAGGED_RULE);
  }
  const highest = Math.max(...rules.map((rule) => rule.rulePriority));
  if (rules.some((rule) => rule.selection.tagStatus === 'any' && rule.rulePriority !== highest)) {
    throw new LifecyclePolicyError(ANY_RULE_LAST);
  }
  // "The set of rules must contain a unique set of tag prefixes": two tagged rules
  // selecting the same tags would fight over the same images. A prefix p selects
  // what the pattern p* selects, so both lists are compared in pattern form.
  const selectors = new Map<string, number>();
  for (const rule of [...rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    if (rule.selection.tagStatus !== 'tagged') continue;
    const key = tagSelectorKey(rule.selection);
    const earlier = selectors.get(key);
    if (earlier !== undefined) {
      throw new LifecyclePolicyError(
        `The rules must contain a unique set of tag prefixes: rules ${earlier} and ${rule.rulePriority} select the same tags.`,
      );
    }
    selectors.set(key, rule.rulePriority);
  }
}

function tagSelectorKey(selection: LifecycleSelection): string {
  const patterns = [
    ...(selection.tagPrefixList ?? []).map((prefix) => `${prefix}*`),
    ...(selection.tagPatternList ?? []),
  ];
  return JSON.stringify([...new Set(patterns)].sort());
}

function checkKeys(value: JsonObject, allowed: readonly string[], required: readonly string[]): void {
  const missing = required.filter((key) => !Object.hasOwn(value, key));
  if (missing.length > 0) {
    throw new LifecyclePolicyError(`object has missing required properties (${jsonList(missing)})`);
  }
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key)).sort();
  if (unknown.length > 0) {
    throw new LifecyclePolicyError(
      `object instance has properties which are not allowed by the schema: (${jsonList(unknown)})`,
    );
  }
}

function parseInteger(value: Json): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeMismatch(value, 'integer');
  if (value < 1) {
    throw new LifecyclePolicyError(`numeric instance is lower than the required minimum (minimum: 1, found: ${value})`);
  }
  if (value > MAX_INT32) {
    throw new LifecyclePolicyError(
      `numeric instance is greater than the required maximum (maximum: ${MAX_INT32}, found: ${value})`,
    );
  }
  return value;
}

function parseEnum<T extends string>(value: Json, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw typeMismatch(value, 'string');
  if (!(allowed as readonly string[]).includes(value)) {
    throw new LifecyclePolicyError(
      `instance value (${value}) not found in enum :(possible values: ${jsonList([...allowed].sort())})`,
    );
  }
  return value as T;
}

function typeMismatch(value: Json, expected: string): LifecyclePolicyError {
  return new LifecyclePolicyError(
    `instance type (${jsonType(value)}) does not match any allowed primitive type (allowed: ["${expected}"])`,
  );
}

function noArchive(what: string): LifecyclePolicyError {
  return new LifecyclePolicyError(
    `${what} is not supported: Berth has no archive storage class, so lifecycle rules can only expire images.`,
  );
}

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** ["a", "b"]: the rendering ECR's messages use for lists of names. */
function jsonList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
