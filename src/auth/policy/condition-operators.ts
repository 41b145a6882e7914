// The condition operator table: names, which values each accepts in a policy,
// and how one request value compares with one policy value (the positive form;
// negation and set operators are applied in conditions.ts).
import type { OperatorFamily, SetOperator } from './policy-types.ts';
import { cidrContains, parseCidr, parseIp } from './ip.ts';
import { compileGlob } from './match.ts';
import { joinSegments, type Segment } from './variables.ts';

export interface OperatorInfo {
  readonly base: string;
  readonly family: OperatorFamily;
  readonly negated: boolean;
  readonly set?: SetOperator;
  readonly ifExists: boolean;
}

type Compare = (request: string, policy: readonly Segment[]) => boolean;

interface BaseOperator {
  readonly family: OperatorFamily;
  readonly negated: boolean;
  readonly compare: Compare;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseNumber(text: string): number | null {
  return NUMBER.test(text.trim()) ? Number(text.trim()) : null;
}

/** ISO 8601 (date, date-time, optional fraction and zone; no zone means UTC) or epoch seconds. */
export function parseDate(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = ISO_DATE.exec(trimmed);
  if (!match) return null;
  const [, day, time, zone] = match;
  let iso = day!;
  if (time) {
    let offset = (zone ?? 'Z').toUpperCase();
    if (offset !== 'Z') offset = offset.length === 3 ? `${offset}:00` : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
    iso += `T${time}${offset}`;
  }
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

function numeric(test: (a: number, b: number) => boolean): Compare {
  return (request, policy) => {
    const a = parseNumber(request);
    const b = parseNumber(joinSegments(policy));
    return a !== null && b !== null && test(a, b);
  };
}

function date(test: (a: number, b: number) => boolean): Compare {
  return (request, policy) => {
    const a = parseDate(request);
    const b = parseDate(joinSegments(policy));
    return a !== null && b !== null && test(a, b);
  };
}

const stringEquals: Compare = (r, p) => r === joinSegments(p);
const stringEqualsIgnoreCase: Compare = (r, p) => r.toLowerCase() === joinSegments(p).toLowerCase();
const stringLike: Compare = (r, p) => compileGlob(p).test(r);
const arnLike: Compare = (r, p) => compileGlob(p, { arn: true }).test(r);
const eq = (a: number, b: number): boolean => a === b;
const lt = (a: number, b: number): boolean => a < b;
const le = (a: number, b: number): boolean => a <= b;
const gt = (a: number, b: number): boolean => a > b;
const ge = (a: number, b: number): boolean => a >= b;

const BASE_OPERATORS: Readonly<Record<string, BaseOperator>> = {
  StringEquals: { family: 'string', negated: false, compare: stringEquals },
  StringNotEquals: { family: 'string', negated: true, compare: stringEquals },
  StringEqualsIgnoreCase: { family: 'string', negated: false, compare: stringEqualsIgnoreCase },
  StringNotEqualsIgnoreCase: { family: 'string', negated: true, compare: stringEqualsIgnoreCase },
  StringLike: { family: 'string', negated: false, compare: stringLike },
  StringNotLike: { family: 'string', negated: true, compare: stringLike },
  NumericEquals: { family: 'numeric', negated: false, compare: numeric(eq) },
  NumericNotEquals: { family: 'numeric', negated: true, compare: numeric(eq) },
  NumericLessThan: { family: 'numeric', negated: false, compare: numeric(lt) },
  NumericLessThanEquals: { family: 'numeric', negated: false, compare: numeric(le) },
  NumericGreaterThan: { family: 'numeric', negated: false, compare: numeric(gt) },
  NumericGreaterThanEquals: { family: 'numeric', negated: false, compare: numeric(ge) },
  DateEquals: { family: 'date', negated: false, compare: date(eq) },
  DateNotEquals: { family: 'date', negated: true, compare: date(eq) },
  DateLessThan: { family: 'date', negated: false, compare: date(lt) },
  DateLessThanEquals: { family: 'date', negated: false, compare: date(le) },
  DateGreaterThan: { family: 'date', negated: false, compare: date(gt) },
  DateGreaterThanEquals: { family: 'date', negated: false, compare: date(ge) },
  Bool: { family: 'bool', negated: false, compare: (r, p) => r.toLowerCase() === joinSegments(p).toLowerCase() },
  BinaryEquals: {
    family: 'binary',
    negated: false,
    compare: (r, p) => BASE64.test(r) && Buffer.from(r, 'base64').equals(Buffer.from(joinSegments(p), 'base64')),
  },
  IpAddress: { family: 'ip', negated: false, compare: ipCompare },
  NotIpAddress: { family: 'ip', negated: true, compare: ipCompare },
  ArnEquals: { family: 'arn', negated: false, compare: arnLike },
  ArnLike: { family: 'arn', negated: false, compare: arnLike },
  ArnNotEquals: { family: 'arn', negated: true, compare: arnLike },
  ArnNotLike: { family: 'arn', negated: true, compare: arnLike },
  Null: { family: 'null', negated: false, compare: () => false },
};

function ipCompare(request: string, policy: readonly Segment[]): boolean {
  const cidr = parseCidr(joinSegments(policy));
  const address = parseIp(request);
  return cidr !== null && address !== null && cidrContains(cidr, address);
}

const CANONICAL = new Map(Object.keys(BASE_OPERATORS).map((name) => [name.toLowerCase(), name]));

/**
 * Splits "ForAnyValue:StringLikeIfExists" into its parts; null for an unknown
 * operator. Operator names are matched case-insensitively. Null takes neither
 * IfExists nor a set operator.
 */
export function parseOperator(name: string): OperatorInfo | null {
  let rest = name;
  let set: SetOperator | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'forallvalues') set = 'ForAllValues';
    else if (prefix === 'foranyvalue') set = 'ForAnyValue';
    else return null;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  let base = CANONICAL.get(rest.toLowerCase());
  if (base === undefined && rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    base = CANONICAL.get(rest.slice(0, -'ifexists'.length).toLowerCase());
  }
  if (base === undefined) return null;
  const op = BASE_OPERATORS[base]!;
  if (op.family === 'null' && (ifExists || set)) return null;
  return { base, family: op.family, negated: op.negated, ifExists, ...(set ? { set } : {}) };
}

/** Why a policy value does not suit the operator family, or null when it does. */
export function policyValueProblem(family: OperatorFamily, value: string): string | null {
  switch (family) {
    case 'numeric':
      return parseNumber(value) === null ? 'is not a number' : null;
    case 'date':
      return parseDate(value) === null ? 'is not an ISO 8601 date or epoch seconds' : null;
    case 'bool':
    case 'null':
      return /^(true|false)$/i.test(value) ? null : 'must be "true" or "false"';
    case 'ip':
      return parseCidr(value) === null ? 'is not an IPv4 or IPv6 address or CIDR block' : null;
    case 'binary':
      return BASE64.test(value) ? null : 'is not base64';
    default:
      return null;
  }
}

/** Compares one request value with one resolved policy value, ignoring negation. */
export function compareValue(base: string, request: string, policy: readonly Segment[]): boolean {
  return BASE_OPERATORS[base]!.compare(request, policy);
}

/** Families whose policy values may contain policy variables. */
export function supportsVariables(family: OperatorFamily): boolean {
  return family === 'string' || family === 'arn' || family === 'bool';
}
