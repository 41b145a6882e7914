// Feeding a request body into a stream that someone else consumes (a store's
// appendUpload), without tying the two streams' lives together the way pipeline()
// does: a failure downstream must leave the request alone so the HTTP layer can
// still answer on it, and a request that fails or closes early must stop the
// consumer with an error.
import type { Readable, Writable } from 'node:stream';

/**
 * Pipes `body` into `target` until the returned function detaches them.
 *
 * `target` gets an 'error' listener for its whole life. Its errors are reported by
 * whoever consumes it (a pipeline() inside the store rejects with them); the listener
 * is what keeps an error emitted while nobody consumes it — before the store has
 * attached its own listeners (it may still be opening a file or waiting for S3), or
 * after the store gave up on it — from being an unhandled 'error' event, which ends
 * the process for every client (issue 10).
 */
export function feedBody(body: Readable, target: Writable, earlyClose: () => Error): () => void {
  target.on('error', ignoreConsumedError);
  const onError = (error: Error) => target.destroy(error);
  const onClose = () => {
    if (!body.readableEnded) target.destroy(earlyClose());
  };
  body.once('error', onError);
  body.once('close', onClose);
  // A body that failed or closed before it got here (the client left while the upload
  // waited for its turn) will emit neither event again: stop the consumer now.
  if (body.destroyed && !body.readableEnded) target.destroy(body.errored ?? earlyClose());
  else body.pipe(target);
  return () => {
    body.off('error', onError);
    body.off('close', onClose);
    body.unpipe(target);
    // Whatever the consumer left unread goes; the body itself stays usable for the answer.
    if (!target.destroyed) target.destroy();
  };
}

function ignoreConsumedError(): void {
  // Reported by the consumer (see feedBody); nothing more to do here.
}
