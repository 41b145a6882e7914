// The credential: `AKID/20261122/us-east-1/ecr/aws4_request`, and the checks of its scope
// against the signing date and the services and regions this server answers for.

import { echo, failed, parsed } from './errors.ts';
import type { Parsed } from './errors.ts';

export const CREDENTIAL_LIMITS = {
  maxLength: 256,
  maxAccessKeyId: 128,
} as const;

export const TERMINATOR = 'aws4_request';

export interface Credential {
  readonly accessKeyId: string;
  /** YYYYMMDD */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
}

const ACCESS_KEY_ID = /^[A-Za-z0-9_]+$/;
const SCOPE_PART = /^[a-z0-9-]{1,64}$/;

export function parseCredential(value: string): Parsed<Credential> {
  if (value.length > CREDENTIAL_LIMITS.maxLength) {
    return failed('incomplete', `Credential is longer than ${CREDENTIAL_LIMITS.maxLength} characters.`);
  }
  const parts = value.split('/');
  if (parts.length !== 5) {
    return failed(
      'incomplete',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${echo(value)}'`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (accessKeyId.length === 0 || accessKeyId.length > CREDENTIAL_LIMITS.maxAccessKeyId || !ACCESS_KEY_ID.test(accessKeyId)) {
    return failed('unrecognized', 'The security token included in the request is invalid.');
  }
  return parsed({ accessKeyId, date, region, service, terminator });
}

/** Allowed signing regions per signing service, e.g. `{ ecr: ['eu-west-1'], sts: ['us-east-1', 'eu-west-1'] }`. */
export type AllowedScopes = Readonly<Record<string, readonly string[]>>;

/**
 * The scope errors AWS reports, joined the way it joins them ("... . ... ."), or undefined
 * when the scope is acceptable. `expectedService` names the service in the message.
 */
export function checkScope(
  credential: Credential,
  longDate: string,
  allowed: AllowedScopes,
  expectedService: string | undefined,
): string | undefined {
  const problems: string[] = [];
  const { region, service, terminator, date } = credential;
  const serviceOk = SCOPE_PART.test(service) && Object.hasOwn(allowed, service) && (expectedService === undefined || expectedService === service);
  const regions = serviceOk ? allowed[service] : undefined;
  const regionOk = SCOPE_PART.test(region) && (regions === undefined ? Object.values(allowed).some((r) => r.includes(region)) : regions.includes(region));
  if (!regionOk) problems.push(`Credential should be scoped to a valid region, not '${echo(region, 64)}'. `);
  if (!serviceOk) {
    const correct = expectedService ?? Object.keys(allowed)[0] ?? 'unknown';
    problems.push(`Credential should be scoped to correct service: '${correct}'. `);
  }
  if (terminator !== TERMINATOR) {
    problems.push(`Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${echo(terminator, 64)}'. `);
  }
  const day = longDate.slice(0, 8);
  if (date !== day) {
    problems.push(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${echo(date, 16)}' != '${day}', from '${longDate}'.`,
    );
  }
  return problems.length === 0 ? undefined : problems.join('');
}
