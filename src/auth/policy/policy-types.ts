// The shapes a parsed IAM policy takes. policy-document.ts produces them from
// JSON text; evaluate.ts reads them. Nothing here does I/O.

export type PolicyKind = 'identity' | 'resource';
export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type Effect = 'Allow' | 'Deny';

/** Condition operator families; each decides how a request value is compared with a policy value. */
export type OperatorFamily = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
export type SetOperator = 'ForAllValues' | 'ForAnyValue';

export interface ConditionClause {
  /** The operator as written, e.g. "ForAnyValue:StringLikeIfExists". */
  readonly operator: string;
  /** Base operator in canonical spelling, e.g. "StringLike". */
  readonly base: string;
  readonly set?: SetOperator;
  readonly ifExists: boolean;
  /** Context key as written; looked up case-insensitively. */
  readonly key: string;
  /** Policy values, as strings ("true", "42", "10.0.0.0/8"). */
  readonly values: readonly string[];
}

/**
 * A Principal or NotPrincipal element. AWS entries are normalised: an account id
 * becomes its root ARN ("arn:aws:iam::<id>:root"), and "*" sets `anyAws`.
 */
export interface PrincipalSpec {
  /** `"Principal": "*"`: everyone, service principals included. */
  readonly everyone: boolean;
  /** `{"AWS": "*"}`: every AWS account principal. */
  readonly anyAws: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
  readonly canonicalUser: readonly string[];
}

export interface PolicyStatement {
  /** Position in the Statement array (0 when Statement was a single object). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly principal?: PrincipalSpec;
  readonly notPrincipal?: PrincipalSpec;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Absent in a resource policy that omits Resource: the statement covers the resource it is attached to. */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly ConditionClause[];
}

export interface ParsedPolicy {
  /** How decisions name this policy (a policy ARN, "repository-policy", ...). */
  readonly name: string;
  readonly kind: PolicyKind;
  readonly version: PolicyVersion;
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
}

/**
 * A policy document that cannot be accepted. `message` names the problem in the
 * way AWS's MalformedPolicyDocument / InvalidParameterException texts do; the
 * caller chooses the exception name.
 */
export class PolicyDocumentError extends Error {
  /** Statement position the problem is in, when it is in one. */
  readonly statementIndex: number | undefined;

  constructor(message: string, statementIndex?: number) {
    super(message);
    this.name = 'PolicyDocumentError';
    this.statementIndex = statementIndex;
  }
}
