// The part-sized buffers uploads fill before sending a part to S3. Each append holds
// at most two while it runs (one filling from the client while the other's upload is
// in flight; an append that ends within one buffer takes only one); a few idle ones are
// kept so that a run of small PATCHes does not allocate (and leave to the garbage
// collector) 8 MiB apiece.
export class PartBuffers {
  readonly size: number;
  readonly #idle: Buffer[] = [];
  readonly #maxIdle: number;

  constructor(size: number, maxIdle = 2) {
    this.size = size;
    this.#maxIdle = maxIdle;
  }

  acquire(): Buffer {
    return this.#idle.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Only for a buffer no request can still be reading (after every call that used it settled). */
  release(buffer: Buffer): void {
    if (this.#idle.length < this.#maxIdle) this.#idle.push(buffer);
  }
}
