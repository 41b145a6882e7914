// The last line of defence: errors that escaped every listener and every promise
// chain. Each is a bug, and is reported as one — a `fatal` log line with its stack
// and a count in /metrics (berth_process_errors_total) — never silently absorbed.
//
// What happens next depends on what escaped (docs/robustness.md):
// - An unhandled rejection is a promise nobody awaited. When it rejected, nothing
//   was unwound half way: the code that made it had already moved on. The process
//   keeps serving.
// - An uncaught exception unwound a synchronous stack from somewhere in the middle
//   (an event emitter, a timer, a socket callback), leaving whatever that code was
//   changing in an unknown state. The process stops taking connections, lets the
//   requests in flight finish (up to shutdownTimeout), closes its stores and exits
//   with EXIT_AFTER_UNCAUGHT, for its supervisor (systemd, Kubernetes, the
//   `--workers` primary) to start a clean one. Nothing is lost by exiting: every
//   acknowledged write is in the stores, which survive even a SIGKILL.
import type { Logger } from 'pino';

/** EX_SOFTWARE (sysexits.h): an internal software error. */
export const EXIT_AFTER_UNCAUGHT = 70;

export type ProcessErrorKind = 'uncaughtException' | 'unhandledRejection';

export interface ProcessGuardOptions {
  readonly log: Logger;
  /** Counts the error (the metrics counter); absent when metrics are off. */
  readonly record?: (kind: ProcessErrorKind) => void;
  /** Stops serving gracefully; the process exits when it settles. */
  readonly drain: (reason: string) => Promise<void>;
  /** The longest the drain may take before the process exits anyway. */
  readonly drainDeadlineMs: number;
  /** For tests: what ends the process (process.exit by default). */
  readonly exit?: (code: number) => void;
}

/** Installs the handlers; returns a function that removes them. */
export function guardProcess(options: ProcessGuardOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let exiting = false;

  const onRejection = (reason: unknown): void => {
    options.log.fatal({ err: reason }, 'unhandled promise rejection (a bug): logged and counted; the process keeps serving');
    options.record?.('unhandledRejection');
  };

  const onException = (error: Error, origin: string): void => {
    options.log.fatal({ err: error, origin }, 'uncaught exception (a bug): draining in-flight requests, then exiting for a clean restart');
    options.record?.('uncaughtException');
    if (exiting) {
      // A second one while draining: the drain itself may be what is broken.
      exit(EXIT_AFTER_UNCAUGHT);
      return;
    }
    exiting = true;
    const deadline = setTimeout(() => {
      options.log.fatal('the drain after an uncaught exception did not finish in time: exiting now');
      exit(EXIT_AFTER_UNCAUGHT);
    }, options.drainDeadlineMs);
    options
      .drain('uncaught exception')
      .catch((drainError: unknown) => options.log.fatal({ err: drainError }, 'the drain after an uncaught exception failed'))
      .finally(() => {
        clearTimeout(deadline);
        exit(EXIT_AFTER_UNCAUGHT);
      });
  };

  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
