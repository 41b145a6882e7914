// Blob contents for the benchmark, generated on the fly and never held whole in memory.
//
// A blob is a sequence of 1 MiB pieces. Every piece is the same random 1 MiB base
// buffer with its first 16 bytes replaced by (seed, piece index), so each blob has
// its own digest (a fresh seed per run) while producing bytes costs only a 16-byte
// write. The base is random per process, so no two runs push the same content.
import { createHash, randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';

export const PIECE = 1024 * 1024;
const HEADER = 16;

const base = randomBytes(PIECE);
const processNonce = randomBytes(4).readUInt32LE(0);
let seedCounter = 0;

export interface BlobSpec {
  /** Total length in bytes. */
  readonly size: number;
  /** Distinguishes this blob's content from every other blob of the run. */
  readonly seed: number;
  /** sha256:<hex> of the whole content. */
  readonly digest: string;
}

export function newSeed(): number {
  seedCounter = (seedCounter + 1) >>> 0;
  return seedCounter;
}

function stampPiece(buf: Buffer, seed: number, index: number): void {
  buf.writeUInt32LE(processNonce, 0);
  buf.writeUInt32LE(seed, 4);
  buf.writeUInt32LE(index, 8);
  buf.writeUInt32LE(0x42455254, 12); // "BERT"
}

/** Computes the digest of a generated blob (done before timing starts). */
export function makeBlob(size: number, seed = newSeed()): BlobSpec {
  const hash = createHash('sha256');
  const piece = Buffer.from(base);
  for (let pos = 0, index = 0; pos < size; pos += PIECE, index++) {
    stampPiece(piece, seed, index);
    const n = Math.min(PIECE, size - pos);
    hash.update(n === PIECE ? piece : piece.subarray(0, n));
  }
  return { size, seed, digest: `sha256:${hash.digest('hex')}` };
}

/**
 * A small set of piece buffers that may be reused only once the socket has taken
 * the bytes (the write callback fired). This keeps memory flat whatever the size.
 */
class PiecePool {
  readonly #free: Buffer[] = [];
  readonly #waiters: Array<() => void> = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.#free.push(Buffer.from(base));
  }

  acquire(): Promise<Buffer> | Buffer {
    const b = this.#free.pop();
    if (b) return b;
    return new Promise<Buffer>((resolve) => {
      this.#waiters.push(() => resolve(this.#free.pop()!));
    });
  }

  release(b: Buffer): void {
    this.#free.push(b);
    this.#waiters.shift()?.();
  }
}

function waitWritable(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onError);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('stream closed while writing the body'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onError);
  });
}

/**
 * Writes bytes [start, end) of the blob to a writable (an http.ClientRequest) and
 * ends it. Honours back-pressure; at most 8 MiB are in flight.
 */
export async function writeBlobRange(out: Writable, blob: BlobSpec, start = 0, end = blob.size): Promise<void> {
  // A fresh pool per body (an 8 MiB copy): buffers still queued in a socket are
  // never handed to another request.
  const pool = new PiecePool(8);
  // If the request dies (e.g. the server answered early and closed), stop waiting for buffers.
  const closed = new Promise<never>((_, reject) => {
    out.once('close', () => reject(new Error('request closed while writing the body')));
  });
  closed.catch(() => {});
  let pos = start;
  while (pos < end) {
    if (out.destroyed) throw new Error('request destroyed while writing the body');
    const acquired = pool.acquire();
    const buf = acquired instanceof Promise ? await Promise.race([acquired, closed]) : acquired;
    const index = Math.floor(pos / PIECE);
    const offset = pos - index * PIECE;
    const n = Math.min(PIECE - offset, end - pos);
    stampPiece(buf, blob.seed, index);
    const ok = out.write(offset === 0 && n === PIECE ? buf : buf.subarray(offset, offset + n), () => pool.release(buf));
    pos += n;
    if (!ok && pos < end) await waitWritable(out);
  }
  out.end();
}

/** A small random blob held in memory (for the many-small-pushes scenario and fixtures). */
export function smallBlob(bytes: Buffer): { data: Buffer; digest: string } {
  return { data: bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}
