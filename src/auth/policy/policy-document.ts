// Parsing and validation of IAM policy documents: identity policies and
// resource policies (ECR repository and registry policies). A document that
// cannot be accepted throws PolicyDocumentError with a message that names the
// problem; the caller maps it to MalformedPolicyDocument or
// InvalidParameterException. Pure: no I/O.
import {
  PolicyDocumentError,
  type ConditionClause,
  type Effect,
  type ParsedPolicy,
  type PolicyKind,
  type PolicyStatement,
  type PolicyVersion,
  type PrincipalSpec,
} from './policy-types.ts';
import { parseOperator, policyValueProblem, supportsVariables } from './condition-operators.ts';
import { hasVariable } from './variables.ts';

export { PolicyDocumentError } from './policy-types.ts';
export type { ParsedPolicy, PolicyKind, PolicyStatement } from './policy-types.ts';

export interface ParseOptions {
  /** Identity policies may not name a Principal; resource policies must and may omit Resource. */
  readonly kind: PolicyKind;
  /** How evaluation results name this policy. Defaults to "identity-policy" / "resource-policy". */
  readonly name?: string;
  /** Maximum document length in characters (ECR repository and registry policies: 10,240). */
  readonly maxLength?: number;
}

const VERSIONS: readonly PolicyVersion[] = ['2012-10-17', '2008-10-17'];
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;
const ACCOUNT_ID = /^\d{12}$/;
const AWS_PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[^*?]+$/;
const SERVICE = /^[A-Za-z0-9.-]+$/;
const CONDITION_KEY = /^[A-Za-z0-9-]+:\S+$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string, index?: number): never {
  throw new PolicyDocumentError(index === undefined ? message : `Statement ${index}: ${message}`, index);
}

/** Parses a policy document's JSON text; throws PolicyDocumentError when it is not acceptable. */
export function parsePolicyDocument(text: string, options: ParseOptions): ParsedPolicy {
  if (typeof text !== 'string') fail('Policy document must be a JSON string');
  if (options.maxLength !== undefined && text.length > options.maxLength) {
    fail(`Policy document is ${text.length} characters long; the maximum is ${options.maxLength}`);
  }
  if (text.trim() === '') fail('Policy document is empty');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    fail(`Policy document is not valid JSON: ${(error as Error).message}`);
  }
  return parsePolicyObject(document, options);
}

/** Validates an already-decoded policy document. */
export function parsePolicyObject(document: unknown, options: ParseOptions): ParsedPolicy {
  if (!isObject(document)) fail('Policy document must be a JSON object');
  for (const key of Object.keys(document)) {
    if (!TOP_LEVEL.has(key)) fail(`Unknown field '${key}' in policy document; expected Version, Id and Statement`);
  }
  const version = parseVersion(document.Version);
  if (document.Id !== undefined && typeof document.Id !== 'string') fail('Id must be a string');
  const raw = document.Statement;
  if (raw === undefined) fail('Missing required field Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) fail('Statement must contain at least one statement');
  const statements = list.map((s, i) => parseStatement(s, i, options.kind));
  // IAM requires a policy's Sids to be unique (its PutUserPolicy answers MalformedPolicyDocument);
  // ECR accepts repository and registry policies that repeat one, and every statement counts.
  if (options.kind === 'identity') {
    const sids = new Set<string>();
    for (const statement of statements) {
      if (statement.sid === undefined || statement.sid === '') continue;
      if (sids.has(statement.sid)) fail(`Statement IDs (SID) in a single policy must be unique; '${statement.sid}' is repeated`);
      sids.add(statement.sid);
    }
  }
  return {
    name: options.name ?? `${options.kind}-policy`,
    kind: options.kind,
    version,
    ...(typeof document.Id === 'string' ? { id: document.Id } : {}),
    statements,
  };
}

function parseVersion(value: unknown): PolicyVersion {
  // AWS treats a document without Version as 2008-10-17 (no policy variables).
  if (value === undefined) return '2008-10-17';
  const found = VERSIONS.find((v) => v === value);
  if (!found) fail(`Invalid Version ${JSON.stringify(value)}; expected "2012-10-17" or "2008-10-17"`);
  return found;
}

function parseStatement(raw: unknown, index: number, kind: PolicyKind): PolicyStatement {
  if (!isObject(raw)) fail('each statement must be a JSON object', index);
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) fail(`unknown field '${key}'`, index);
  }
  const sid = parseSid(raw.Sid, index, kind);
  const effect = parseEffect(raw.Effect, index);
  const statement: {
    -readonly [K in keyof PolicyStatement]: PolicyStatement[K];
  } = { index, effect, conditions: [] };
  if (sid !== undefined) statement.sid = sid;

  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) fail('a statement cannot have both Principal and NotPrincipal', index);
  if (kind === 'identity') {
    if (raw.Principal !== undefined || raw.NotPrincipal !== undefined) fail('Policy document should not specify a principal', index);
  } else {
    if (raw.Principal === undefined && raw.NotPrincipal === undefined) fail('Missing required field Principal', index);
    if (raw.Principal !== undefined) statement.principal = parsePrincipal(raw.Principal, 'Principal', index);
    if (raw.NotPrincipal !== undefined) {
      if (effect === 'Allow') fail('NotPrincipal can only be used with "Effect": "Deny"', index);
      statement.notPrincipal = parsePrincipal(raw.NotPrincipal, 'NotPrincipal', index);
    }
  }

  if (raw.Action !== undefined && raw.NotAction !== undefined) fail('a statement cannot have both Action and NotAction', index);
  if (raw.Action === undefined && raw.NotAction === undefined) fail('Missing required field Action', index);
  const actionField = raw.Action !== undefined ? 'Action' : 'NotAction';
  const actions = stringList(raw[actionField], actionField, index);
  for (const action of actions) {
    if (action !== '*' && !ACTION.test(action)) {
      fail(`${actionField} '${action}' is invalid: actions must be prefaced by a vendor, e.g. "ecr:BatchGetImage" or "ecr:*"`, index);
    }
  }
  if (actionField === 'Action') statement.action = actions;
  else statement.notAction = actions;

  if (raw.Resource !== undefined && raw.NotResource !== undefined) fail('a statement cannot have both Resource and NotResource', index);
  if (raw.Resource === undefined && raw.NotResource === undefined) {
    if (kind === 'identity') fail('Missing required field Resource', index);
  } else {
    const field = raw.Resource !== undefined ? 'Resource' : 'NotResource';
    const resources = stringList(raw[field], field, index);
    for (const resource of resources) {
      if (resource !== '*' && !resource.startsWith('arn:')) fail(`${field} ${resource} must be in ARN format or "*"`, index);
    }
    if (field === 'Resource') statement.resource = resources;
    else statement.notResource = resources;
  }

  if (raw.Condition !== undefined) statement.conditions = parseCondition(raw.Condition, index);
  return statement;
}

function parseSid(value: unknown, index: number, kind: PolicyKind): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail('Sid must be a string', index);
  // IAM requires alphanumeric Sids in identity policies; resource policies (S3, ECR) accept spaces and more.
  if (kind === 'identity' && !/^[A-Za-z0-9]*$/.test(value)) fail(`Statement IDs (SID) must be alpha-numeric; got '${value}'`, index);
  return value;
}

function parseEffect(value: unknown, index: number): Effect {
  if (value === undefined) fail('Missing required field Effect', index);
  if (value !== 'Allow' && value !== 'Deny') fail(`Effect must be "Allow" or "Deny"; got ${JSON.stringify(value)}`, index);
  return value;
}

function stringList(value: unknown, field: string, index: number): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail(`${field} must not be an empty list`, index);
  for (const item of list) {
    if (typeof item !== 'string' || item === '') fail(`${field} must be a non-empty string or a list of them`, index);
  }
  return list as string[];
}

function parsePrincipal(value: unknown, field: string, index: number): PrincipalSpec {
  const spec = { everyone: false, anyAws: false, aws: [] as string[], service: [] as string[], federated: [] as string[], canonicalUser: [] as string[] };
  if (value === '*') return { ...spec, everyone: true };
  if (!isObject(value)) fail(`Invalid principal in policy: ${field} must be "*" or an object such as {"AWS": "123456789012"}`, index);
  if (Object.keys(value).length === 0) fail(`Invalid principal in policy: ${field} is empty`, index);
  for (const [type, entries] of Object.entries(value)) {
    if (!PRINCIPAL_TYPES.has(type)) fail(`Invalid principal in policy: unknown principal type "${type}"; expected AWS, Service, Federated or CanonicalUser`, index);
    for (const entry of stringList(entries, `${field}.${type}`, index)) {
      const invalid = (): never => fail(`Invalid principal in policy: "${type}":"${entry}"`, index);
      if (type === 'AWS') {
        if (entry === '*') spec.anyAws = true;
        else if (ACCOUNT_ID.test(entry)) spec.aws.push(`arn:aws:iam::${entry}:root`);
        else if (AWS_PRINCIPAL_ARN.test(entry)) spec.aws.push(entry);
        else invalid();
      } else if (type === 'Service') {
        if (!SERVICE.test(entry)) invalid();
        spec.service.push(entry);
      } else if (type === 'Federated') {
        spec.federated.push(entry);
      } else {
        spec.canonicalUser.push(entry);
      }
    }
  }
  return spec;
}

function parseCondition(value: unknown, index: number): ConditionClause[] {
  if (!isObject(value)) fail('Condition must be an object of condition operators', index);
  const clauses: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(value)) {
    const info = parseOperator(operator);
    if (!info) fail(`Invalid Condition type: unknown condition operator '${operator}'`, index);
    if (!isObject(block)) fail(`Condition operator '${operator}' must map context keys to values`, index);
    for (const [key, raw] of Object.entries(block)) {
      if (!CONDITION_KEY.test(key)) fail(`Condition key '${key}' must be prefaced by a vendor, e.g. aws:SourceIp`, index);
      const list = Array.isArray(raw) ? raw : [raw];
      const values: string[] = [];
      for (const item of list) {
        if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
          fail(`Condition value for ${operator} ${key} must be a string, number or boolean, or a list of them`, index);
        }
        const text = String(item);
        const skip = supportsVariables(info.family) && hasVariable(text);
        const problem = skip ? null : policyValueProblem(info.family, text);
        if (problem) fail(`Condition value ${JSON.stringify(item)} for ${operator} ${key} ${problem}`, index);
        values.push(text);
      }
      clauses.push({
        operator,
        base: info.base,
        ifExists: info.ifExists,
        key,
        values,
        ...(info.set ? { set: info.set } : {}),
      });
    }
  }
  return clauses;
}
