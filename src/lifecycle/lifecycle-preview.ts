// Lifecycle policy previews (StartLifecyclePolicyPreview): the store records that one
// started, the evaluation runs in the background of the process that was asked, and
// its results — what a run would expire, from the same evaluation a run makes — are
// stored when it completes. An evaluation reads the repository once and is pure, so it
// completes in well under a second for thousands of images; the AWS CLI waiter polls
// every 5 s.
import type { Logger } from 'pino';
import type { LifecyclePreviewRecord, LifecycleStore, StartPreviewResult } from '../storage/meta/lifecycle-store.ts';
import { evaluateRepository } from './lifecycle-evaluation.ts';
import type { LifecyclePolicy } from './lifecycle-types.ts';

/** A preview still IN_PROGRESS after this long lost its process: it reads FAILED and may be replaced. */
export const PREVIEW_ABANDONED_AFTER_MS = 10 * 60 * 1000;
/** Results older than this read EXPIRED: the repository has likely changed since. */
export const PREVIEW_RESULTS_KEPT_MS = 24 * 60 * 60 * 1000;

export type PreviewStatus = 'IN_PROGRESS' | 'COMPLETE' | 'EXPIRED' | 'FAILED';

/** The status ECR reports for a stored preview at `now`. */
export function previewStatus(preview: LifecyclePreviewRecord, now: Date): PreviewStatus {
  switch (preview.status) {
    case 'IN_PROGRESS':
      return now.getTime() - preview.startedAt.getTime() >= PREVIEW_ABANDONED_AFTER_MS ? 'FAILED' : 'IN_PROGRESS';
    case 'COMPLETE':
      return now.getTime() - (preview.completedAt ?? preview.startedAt).getTime() >= PREVIEW_RESULTS_KEPT_MS ? 'EXPIRED' : 'COMPLETE';
    case 'FAILED':
      return 'FAILED';
  }
}

export interface StartedPreview {
  readonly result: StartPreviewResult;
  /** Settles when the preview's outcome is stored (at once when it did not start). Never rejects. */
  readonly done: Promise<void>;
}

export async function startLifecyclePreview(
  store: LifecycleStore,
  repository: string,
  text: string,
  policy: LifecyclePolicy,
  now: () => Date,
  log?: Pick<Logger, 'warn'>,
): Promise<StartedPreview> {
  const startedAt = now();
  const result = await store.startPreview(repository, text, startedAt, new Date(startedAt.getTime() - PREVIEW_ABANDONED_AFTER_MS));
  if (result !== 'started') return { result, done: Promise.resolve() };
  // After the answer is on its way: the caller sees IN_PROGRESS, as from ECR.
  const done = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => evaluateRepository(store, repository, policy, now()))
    .then(
      (evaluation) => store.finishPreview(repository, startedAt, { status: 'COMPLETE', results: evaluation.expiries }, now()),
      async (error: unknown) => {
        log?.warn({ err: error, repository }, 'lifecycle policy preview failed');
        await store.finishPreview(repository, startedAt, { status: 'FAILED' }, now());
      },
    )
    .catch((error: unknown) => {
      // The store is gone (shutting down): the preview reads FAILED once it is abandoned.
      log?.warn({ err: error, repository }, 'lifecycle policy preview could not be recorded');
    });
  return { result, done };
}
