// Validates an ECR request's input against our table of the model's constraints and
// answers the way the ECR service does:
// - a member of the wrong JSON type fails deserialization: SerializationException;
// - a constraint violation is an InvalidParameterException whose message names the
//   member and the constraint, in the wording ECR uses server-side, e.g.
//   Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '…''
//   Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'
//   Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'
//   Only the first violation is reported. Members are named by their own name, not their path.
// Unknown members are ignored and dropped; null counts as absent; blobs are decoded.
import { ECR_INPUT_SHAPES } from './ecr-inputs.ts';
import type { BlobSpec, ListSpec, NumberSpec, Spec, StringSpec, StructureSpec } from './ecr-shapes.ts';
import { awsJsonError } from './json-protocol.ts';
import type { AwsJsonError } from './json-protocol.ts';

export interface ValidationIssue {
  /** Where in the input, e.g. `imageIds[3].imageTag`. */
  readonly path: string;
  /** The member named in the message. */
  readonly member: string;
  /** The constraint text inside the quotes of the message. */
  readonly constraint: string;
}

export type EcrValidation =
  | { readonly ok: true; readonly input: Record<string, unknown> }
  | { readonly ok: false; readonly error: AwsJsonError; readonly issue?: ValidationIssue };

export function hasEcrInputShape(operation: string): boolean {
  return Object.hasOwn(ECR_INPUT_SHAPES, operation);
}

/** Validates `input` for `operation`; operations without a table pass through unchanged. */
export function validateEcrInput(operation: string, input: Readonly<Record<string, unknown>>): EcrValidation {
  const shape = ECR_INPUT_SHAPES[operation];
  if (!shape) return { ok: true, input: { ...input } };
  const issues: ValidationIssue[] = [];
  let cleaned: Record<string, unknown>;
  try {
    cleaned = checkStructure(shape, input, '', issues);
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, error: awsJsonError('SerializationException', error.message) };
    throw error;
  }
  const issue = issues[0];
  if (issue) {
    return { ok: false, issue, error: awsJsonError('InvalidParameterException', `Invalid parameter at '${issue.member}' failed to satisfy constraint: '${issue.constraint}'`) };
  }
  const ruled = SERVICE_RULES[operation]?.(cleaned);
  if (ruled) return { ok: false, error: ruled };
  return { ok: true, input: cleaned };
}

/** A value of the wrong JSON type: the request does not deserialize. */
class Malformed extends Error {}

/** Where a value sits: its path, the member a message names, and whether it is a list element. */
interface At {
  readonly path: string;
  readonly member: string;
  readonly element: boolean;
}

type Phrase = { readonly kind: 'minLength' | 'maxLength' | 'minValue' | 'maxValue'; readonly n: number } | { readonly kind: 'pattern'; readonly pattern: string } | { readonly kind: 'enum'; readonly values: readonly string[] } | { readonly kind: 'null' };

/** ECR's own phrasing for a member, and the Coral phrasing it nests for list elements. */
function phrase(p: Phrase, element: boolean): string {
  const lead = element ? 'Member ' : '';
  switch (p.kind) {
    case 'minLength':
      return `${lead}must have length greater than or equal to ${p.n}`;
    case 'maxLength':
      return `${lead}must have length less than or equal to ${p.n}`;
    case 'minValue':
      return `${lead}must have value greater than or equal to ${p.n}`;
    case 'maxValue':
      return `${lead}must have value less than or equal to ${p.n}`;
    case 'pattern':
      return element ? `Member must satisfy regular expression pattern: ${p.pattern}` : `must satisfy regular expression '${p.pattern}'`;
    case 'enum':
      return `${lead}must satisfy enum value set: [${p.values.join(', ')}]`;
    case 'null':
      return `${lead}must not be null`;
  }
}

function report(issues: ValidationIssue[], at: At, p: Phrase): void {
  const constraint = at.element ? `Member must satisfy constraint: [${phrase(p, true)}]` : phrase(p, false);
  issues.push({ path: at.path, member: at.member, constraint });
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'structure';
  if (typeof value === 'boolean') return value ? 'TRUE_VALUE' : 'FALSE_VALUE';
  return typeof value === 'number' ? 'NUMBER_VALUE' : 'STRING_VALUE';
}

function mismatch(value: unknown, target: string): Malformed {
  const kind = jsonKind(value);
  if (kind === 'structure') return new Malformed('Start of structure or map found where not expected.');
  if (kind === 'list') return new Malformed('Start of list found where not expected.');
  return new Malformed(`${kind} can not be converted to ${target}`);
}

const PATTERNS = new Map<string, RegExp>();
/** Model patterns must match the whole value. */
function fullMatch(pattern: string): RegExp {
  let re = PATTERNS.get(pattern);
  if (!re) PATTERNS.set(pattern, (re = new RegExp(`^(?:${pattern})$`)));
  return re;
}

function check(spec: Spec, value: unknown, at: At, issues: ValidationIssue[]): unknown {
  switch (spec.type) {
    case 'string':
      return checkString(spec, value, at, issues);
    case 'integer':
    case 'long':
      return checkNumber(spec, value, at, issues);
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch(value, 'a Boolean');
      return value;
    case 'blob':
      return checkBlob(spec, value, at, issues);
    case 'list':
      return checkList(spec, value, at, issues);
    case 'structure':
      return checkStructure(spec, value, at.path, issues);
  }
}

function checkString(spec: StringSpec, value: unknown, at: At, issues: ValidationIssue[]): string {
  if (typeof value !== 'string') throw mismatch(value, 'a String');
  if (spec.enum && !spec.enum.includes(value)) report(issues, at, { kind: 'enum', values: spec.enum });
  else if (spec.min !== undefined && value.length < spec.min) report(issues, at, { kind: 'minLength', n: spec.min });
  else if (spec.max !== undefined && value.length > spec.max) report(issues, at, { kind: 'maxLength', n: spec.max });
  else if (spec.pattern !== undefined && !fullMatch(spec.pattern).test(value)) report(issues, at, { kind: 'pattern', pattern: spec.pattern });
  return value;
}

function checkNumber(spec: NumberSpec, value: unknown, at: At, issues: ValidationIssue[]): number {
  const target = spec.type === 'integer' ? 'an Integer' : 'a Long';
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw mismatch(value, target);
  if (spec.min !== undefined && value < spec.min) report(issues, at, { kind: 'minValue', n: spec.min });
  else if (spec.max !== undefined && value > spec.max) report(issues, at, { kind: 'maxValue', n: spec.max });
  return value;
}

/** Padded standard base64, checked in one pass (a regex backtracks on a 28 MB part). */
function isBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  for (let i = 0; i < text.length - pad; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

function checkBlob(spec: BlobSpec, value: unknown, at: At, issues: ValidationIssue[]): Buffer {
  if (typeof value !== 'string') throw mismatch(value, 'a ByteBuffer');
  if (!isBase64(value)) throw new Malformed(`Invalid base64 value for '${at.member}'`);
  const bytes = Buffer.from(value, 'base64');
  if (spec.min !== undefined && bytes.length < spec.min) report(issues, at, { kind: 'minLength', n: spec.min });
  else if (spec.max !== undefined && bytes.length > spec.max) report(issues, at, { kind: 'maxLength', n: spec.max });
  return bytes;
}

function checkList(spec: ListSpec, value: unknown, at: At, issues: ValidationIssue[]): unknown[] {
  if (!Array.isArray(value)) throw mismatch(value, 'a List');
  // A list's size is reported in Coral's words, as ECR does ('Member must have length …').
  if (spec.min !== undefined && value.length < spec.min) issues.push({ path: at.path, member: at.member, constraint: phrase({ kind: 'minLength', n: spec.min }, true) });
  else if (spec.max !== undefined && value.length > spec.max) issues.push({ path: at.path, member: at.member, constraint: phrase({ kind: 'maxLength', n: spec.max }, true) });
  return value.map((item: unknown, index) => {
    const element: At = { path: `${at.path}[${index}]`, member: at.member, element: true };
    if (item === null || item === undefined) {
      report(issues, element, { kind: 'null' });
      return item;
    }
    return check(spec.member, item, element, issues);
  });
}

function checkStructure(spec: StructureSpec, value: unknown, path: string, issues: ValidationIssue[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw mismatch(value, 'a structure');
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(spec.members)) {
    const at: At = { path: path === '' ? name : `${path}.${name}`, member: name, element: false };
    const item = Object.hasOwn(source, name) ? source[name] : undefined;
    if (item === undefined || item === null) {
      if (spec.required?.includes(name)) report(issues, at, { kind: 'null' });
      continue;
    }
    out[name] = check(member, item, at, issues);
  }
  return out;
}

// Limits the ECR service enforces beyond the model's constraints (the model gives tag
// keys and values no length): 50 tags per repository, keys of 1..128 characters and
// values of at most 256, each with its own exception. The messages are ours.
const MAX_TAGS = 50;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

function checkTagKey(key: string): AwsJsonError | undefined {
  if (key.length < 1 || key.length > MAX_TAG_KEY) {
    return awsJsonError('InvalidTagParameterException', `Tag key '${key}' is invalid: tag keys must be 1 to ${MAX_TAG_KEY} characters long`);
  }
  return undefined;
}

function checkTags(input: Record<string, unknown>): AwsJsonError | undefined {
  const tags = input['tags'] as ReadonlyArray<{ Key: string; Value: string }> | undefined;
  if (!tags) return undefined;
  if (tags.length > MAX_TAGS) return awsJsonError('TooManyTagsException', `A repository can have at most ${MAX_TAGS} tags; the request has ${tags.length}`);
  for (const { Key, Value } of tags) {
    const bad = checkTagKey(Key);
    if (bad) return bad;
    if (Value.length > MAX_TAG_VALUE) {
      return awsJsonError('InvalidTagParameterException', `The value of tag '${Key}' is invalid: tag values can be at most ${MAX_TAG_VALUE} characters long`);
    }
  }
  return undefined;
}

/** A creation template's resourceTags are the tags its repositories get: the same limits. */
const checkTemplateTags = (input: Record<string, unknown>): AwsJsonError | undefined => checkTags({ tags: input['resourceTags'] });

const SERVICE_RULES: Readonly<Record<string, (input: Record<string, unknown>) => AwsJsonError | undefined>> = {
  CreateRepository: checkTags,
  CreateRepositoryCreationTemplate: checkTemplateTags,
  UpdateRepositoryCreationTemplate: checkTemplateTags,
  TagResource: checkTags,
  UntagResource: (input) => {
    for (const key of input['tagKeys'] as readonly string[]) {
      const bad = checkTagKey(key);
      if (bad) return bad;
    }
    return undefined;
  },
};
