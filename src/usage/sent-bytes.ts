// Counts the body bytes of one response that actually left for the client: a chunk
// counts once the socket has taken it (its write callback succeeded), so a download
// the client aborts counts what was sent before, not what was queued. Used for blob
// downloads only, where the difference matters; the cost is one callback per chunk.
import type { ServerResponse } from 'node:http';

type Callback = (error?: Error | null) => void;

/** Wraps the response's write and end; `report` gets the byte count once, when the response closes. */
export function meterSentBytes(res: ServerResponse, report: (bytes: number) => void): void {
  let sent = 0;
  const counted = (chunk: unknown, callback: Callback | undefined): Callback => {
    const length = typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
    return (error) => {
      if (!error) sent += length;
      callback?.(error);
    };
  };
  const write = res.write.bind(res) as (chunk: unknown, encoding: BufferEncoding | undefined, callback: Callback) => boolean;
  const end = res.end.bind(res) as (chunk: unknown, encoding: BufferEncoding | undefined, callback: Callback | undefined) => ServerResponse;
  res.write = ((chunk: unknown, encoding?: BufferEncoding | Callback, callback?: Callback) => {
    const [enc, cb] = typeof encoding === 'function' ? [undefined, encoding] : [encoding, callback];
    return write(chunk, enc, counted(chunk, cb));
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, encoding?: BufferEncoding | Callback, callback?: Callback) => {
    if (typeof chunk === 'function') return end(undefined, undefined, chunk as Callback);
    const [enc, cb] = typeof encoding === 'function' ? [undefined, encoding] : [encoding, callback];
    // end's callback runs on 'finish': when the last chunk has left too.
    return end(chunk, enc, chunk === undefined || chunk === null ? cb : counted(chunk, cb));
  }) as ServerResponse['end'];
  res.once('close', () => report(sent));
}
