// Checks IAM request members against the constraints of botocore's IAM model and
// reports them as IAM does: one ValidationError that lists every violation in Coral's
// words, e.g.
//   1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+
// Members are named in lower camel case, as IAM names them. Used by the use cases, so
// the Query API and `berth admin` refuse the same inputs with the same words.
import { validationError } from './iam-errors.ts';

export interface StringConstraint {
  readonly min: number;
  readonly max: number;
  /** The model's pattern, matched against the whole value. */
  readonly pattern: string;
}

const NAME_PATTERN = '[\\w+=,.@-]+';
/** userNameType: a name a new user may take. */
export const USER_NAME: StringConstraint = { min: 1, max: 64, pattern: NAME_PATTERN };
/** existingUserNameType: how requests name a user that should exist. */
export const EXISTING_USER_NAME: StringConstraint = { min: 1, max: 128, pattern: NAME_PATTERN };
export const POLICY_NAME: StringConstraint = { min: 1, max: 128, pattern: NAME_PATTERN };
export const PATH: StringConstraint = { min: 1, max: 512, pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' };
export const PATH_PREFIX: StringConstraint = { min: 1, max: 512, pattern: '\\u002F[\\u0021-\\u007F]*' };
export const MARKER: StringConstraint = { min: 1, max: 320, pattern: '[\\u0020-\\u00FF]+' };
export const ACCESS_KEY_ID: StringConstraint = { min: 16, max: 128, pattern: '[\\w]+' };
export const POLICY_DOCUMENT: StringConstraint = { min: 1, max: 131072, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' };
/** maxItemsType */
export const MAX_ITEMS = { min: 1, max: 1000 } as const;
/** statusType */
export const ACCESS_KEY_STATUSES = ['Active', 'Inactive', 'Expired'] as const;

const compiled = new Map<string, RegExp>();
function fullMatch(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(`^(?:${pattern})$`)));
  return re;
}

/** Collects violations member by member; `check()` throws them as one ValidationError. */
export class IamInput {
  private readonly problems: string[] = [];

  /** The value, or '' when it is missing (reported; `check()` then throws). */
  required(member: string, value: string | undefined, constraint: StringConstraint): string {
    if (value === undefined) {
      this.problems.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
      return '';
    }
    this.string(member, value, constraint);
    return value;
  }

  optional(member: string, value: string | undefined, constraint: StringConstraint): string | undefined {
    if (value !== undefined) this.string(member, value, constraint);
    return value;
  }

  requiredEnum<T extends string>(member: string, value: string | undefined, values: readonly T[]): T | undefined {
    if (value === undefined) {
      this.problems.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if ((values as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${at(member, value)}Member must satisfy enum value set: [${values.join(', ')}]`);
    return undefined;
  }

  optionalInteger(member: string, value: number | undefined, range: { readonly min: number; readonly max: number }): number | undefined {
    if (value === undefined) return undefined;
    if (!Number.isSafeInteger(value)) this.problems.push(`${at(member, String(value))}Member must be an integer`);
    else if (value < range.min) this.problems.push(`${at(member, String(value))}Member must have value greater than or equal to ${range.min}`);
    else if (value > range.max) this.problems.push(`${at(member, String(value))}Member must have value less than or equal to ${range.max}`);
    return value;
  }

  /** Throws the ValidationError IAM would answer, when anything was wrong. */
  check(): void {
    const count = this.problems.length;
    if (count === 0) return;
    throw validationError(`${count} validation error${count === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`);
  }

  private string(member: string, value: string, constraint: StringConstraint): void {
    if (value.length < constraint.min) this.problems.push(`${at(member, value)}Member must have length greater than or equal to ${constraint.min}`);
    if (value.length > constraint.max) this.problems.push(`${at(member, value)}Member must have length less than or equal to ${constraint.max}`);
    // An empty value only breaks the length rule, as in IAM's answers.
    if (value.length > 0 && !fullMatch(constraint.pattern).test(value)) {
      this.problems.push(`${at(member, value)}Member must satisfy regular expression pattern: ${constraint.pattern}`);
    }
  }
}

function at(member: string, value: string): string {
  return `Value '${value}' at '${member}' failed to satisfy constraint: `;
}

/** A Query-protocol integer parameter: undefined when absent; text that is no whole number is refused. */
export function parseIntegerParameter(member: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^-?\d{1,15}$/.test(text)) return Number(text);
  throw validationError(`1 validation error detected: ${at(member, text)}Member must be an integer`);
}
