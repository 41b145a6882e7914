// A pass-through stream that hashes and counts what flows through it, and
// stops the flow with an error once more than `limit` bytes have passed.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class DigestingStream extends Transform {
  readonly #hash: Hash | undefined;
  readonly #limit: number;
  readonly #onLimit: () => Error;
  bytes = 0;

  constructor(options: { hash?: Hash; limit?: number; onLimit?: () => Error }) {
    super({ highWaterMark: 1024 * 1024 });
    this.#hash = options.hash;
    this.#limit = options.limit ?? Number.POSITIVE_INFINITY;
    this.#onLimit = options.onLimit ?? (() => new Error('size limit exceeded'));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.#limit) {
      callback(this.#onLimit());
      return;
    }
    this.#hash?.update(chunk);
    callback(null, chunk);
  }
}

export function newHash(algorithm: 'sha256' | 'sha512'): Hash {
  return createHash(algorithm);
}
