// Deciding a statement's Condition block against the request context.
//
// - Every clause must hold (operators and keys are ANDed).
// - The policy values of one key are ORed: a request value matches when it
//   matches any of them. Negated operators (StringNotEquals, NotIpAddress, ...)
//   hold when the request value matches none of them (NOR).
// - A key missing from the request makes the clause false, except that it is
//   true for negated operators, for ...IfExists, and for ForAllValues; Null
//   tests presence itself.
// - ForAllValues: every request value must satisfy the operator (true for an
//   empty or missing set). ForAnyValue: at least one must (false when empty).
// - Without a set operator, a multivalued request key holds for a positive
//   operator when any value matches, and for a negated operator when none does.
import type { ConditionClause, PolicyVersion } from './policy-types.ts';
import { compareValue, parseOperator, supportsVariables } from './condition-operators.ts';
import { contextValues, expandVariables, type NormalizedContext, type Segment } from './variables.ts';

function resolvedValues(clause: ConditionClause, version: PolicyVersion, context: NormalizedContext, variables: boolean): Array<readonly Segment[]> {
  const out: Array<readonly Segment[]> = [];
  for (const value of clause.values) {
    if (!variables) {
      out.push([{ text: value, literal: false }]);
      continue;
    }
    const segments = expandVariables(value, version, context);
    // A variable with no value in the request makes this policy value match nothing.
    if (segments !== null) out.push(segments);
  }
  return out;
}

function evaluateNull(clause: ConditionClause, present: boolean): boolean {
  // "true": the key must be absent; "false": it must be present. Several values are ORed.
  return clause.values.some((v) => (v.toLowerCase() === 'true' ? !present : present));
}

export function evaluateClause(clause: ConditionClause, version: PolicyVersion, context: NormalizedContext): boolean {
  const info = parseOperator(clause.operator);
  if (!info) return false; // unreachable for parsed policies: the parser rejects unknown operators
  const requestValues = contextValues(context, clause.key);
  const present = requestValues !== undefined && requestValues.length > 0;
  if (info.family === 'null') return evaluateNull(clause, present);
  if (!present) {
    if (info.ifExists || info.set === 'ForAllValues') return true;
    if (info.set === 'ForAnyValue') return false;
    return info.negated;
  }
  const policyValues = resolvedValues(clause, version, context, supportsVariables(info.family));
  const matchesAny = (request: string): boolean => policyValues.some((p) => compareValue(info.base, request, p));
  const satisfies = (request: string): boolean => (info.negated ? !matchesAny(request) : matchesAny(request));
  if (info.set === 'ForAllValues') return requestValues.every(satisfies);
  if (info.set === 'ForAnyValue') return requestValues.some(satisfies);
  return info.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
}

export function conditionsHold(clauses: readonly ConditionClause[], version: PolicyVersion, context: NormalizedContext): boolean {
  return clauses.every((clause) => evaluateClause(clause, version, context));
}
