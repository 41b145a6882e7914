// Reading a control-plane request body under a size limit. A body over the limit is
// still read to its end and thrown away (up to a drain cap) before the error is
// answered: a server that closes a socket with unread data in it makes the kernel send
// a reset, and a client still writing its body then sees EPIPE or ECONNRESET instead of
// the answer. Only a body beyond the drain cap costs the client its connection.
import type { Readable } from 'node:stream';

/** How much of an oversized body is read and dropped so the client can read the error. */
export const DRAIN_LIMIT = 64 * 1024 * 1024;

export type BodyRead =
  | { readonly ok: true; readonly bytes: Buffer }
  /** `drained`: the whole body was read, so the connection can stay open. */
  | { readonly ok: false; readonly reason: 'too-large'; readonly drained: boolean }
  /** The client went away (or the stream failed) before the body ended: nobody to answer. */
  | { readonly ok: false; readonly reason: 'aborted' };

export interface BodySource extends Pick<Readable, 'on' | 'removeListener' | 'pause' | 'resume'> {
  readonly headers: { readonly [name: string]: string | string[] | undefined };
}

/** The whole body when it is at most `limit` bytes; otherwise it is drained (up to `drainLimit`). */
export function readLimitedBody(req: BodySource, limit: number, drainLimit = DRAIN_LIMIT): Promise<BodyRead> {
  const declared = Number(req.headers['content-length'] ?? 0);
  // A declared length past the drain cap is refused without reading a byte of it.
  if (declared > drainLimit) return Promise.resolve({ ok: false, reason: 'too-large', drained: false });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let over = declared > limit;
    const finish = (result: BodyRead): void => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onAborted);
      req.removeListener('close', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.length;
      if (total > drainLimit) {
        // Stop reading: what is left stays unread and the connection has to go.
        req.pause();
        finish({ ok: false, reason: 'too-large', drained: false });
        return;
      }
      if (total > limit && !over) {
        over = true;
        chunks.length = 0;
      }
      if (!over) chunks.push(bytes);
    };
    const onEnd = (): void => finish(over ? { ok: false, reason: 'too-large', drained: true } : { ok: true, bytes: Buffer.concat(chunks, total) });
    const onAborted = (): void => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('close', onAborted);
    req.resume();
  });
}
