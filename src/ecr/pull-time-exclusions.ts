// RegisterPullTimeUpdateExclusion, DeregisterPullTimeUpdateExclusion and
// ListPullTimeUpdateExclusions: the IAM principals of the caller's account's list
// whose pulls leave lastRecordedPullTime alone. A change reloads this process's
// in-memory list at once (other processes pick it up within seconds; see
// src/registry/pull-time-exclusions.ts).
import { MAX_PULL_TIME_EXCLUSIONS } from '../registry/pull-time-exclusions.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';

/** What ListPullTimeUpdateExclusions returns without maxResults (the operation's doc). */
const DEFAULT_PAGE = 100;
/** A nextToken holds the last ARN shown; anything else was not issued here. */
const PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)\/[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;

export async function registerPullTimeUpdateExclusion(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const principalArn = String(input['principalArn']);
  const createdAt = context.now();
  const added = await context.metadata.pullTimeExclusions.add(context.accountId, principalArn, createdAt, MAX_PULL_TIME_EXCLUSIONS);
  if (added === 'exists') {
    throw new EcrError('ExclusionAlreadyExistsException', `The pull time update exclusion for '${principalArn}' already exists in the registry with id '${context.accountId}'`);
  }
  if (added === 'full') {
    throw new EcrError('LimitExceededException', `The registry with id '${context.accountId}' already has the maximum of ${MAX_PULL_TIME_EXCLUSIONS} pull time update exclusions`);
  }
  await context.registry.pullTimeExclusions.reload();
  return { principalArn, createdAt };
}

export async function deregisterPullTimeUpdateExclusion(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const principalArn = String(input['principalArn']);
  if (!(await context.metadata.pullTimeExclusions.remove(context.accountId, principalArn))) {
    throw new EcrError('ExclusionNotFoundException', `The pull time update exclusion for '${principalArn}' does not exist in the registry with id '${context.accountId}'`);
  }
  await context.registry.pullTimeExclusions.reload();
  return { principalArn };
}

export async function listPullTimeUpdateExclusions(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const limit = (input['maxResults'] as number | undefined) ?? DEFAULT_PAGE;
  const after = decodeToken(input['nextToken']);
  const page = await context.metadata.pullTimeExclusions.list(context.accountId, { limit: limit + 1, ...(after === undefined ? {} : { after }) });
  const shown = page.slice(0, limit).map((record) => record.principalArn);
  return {
    pullTimeUpdateExclusions: shown,
    ...(page.length > limit ? { nextToken: Buffer.from(shown[shown.length - 1]!, 'utf8').toString('base64url') } : {}),
  };
}

function decodeToken(token: unknown): string | undefined {
  if (typeof token !== 'string' || token === '') return undefined;
  const arn = Buffer.from(token, 'base64url').toString('utf8');
  if (!PRINCIPAL_ARN.test(arn)) {
    throw new EcrError('InvalidParameterException', "Invalid parameter at 'nextToken' failed to satisfy constraint: 'the token is not one this registry issued'");
  }
  return arn;
}
