// Deterministic test content of any size, generated as a stream so a 50 MiB blob is
// never held in one buffer. The bytes are the AES-256-CTR keystream for a key derived
// from the seed, so any byte range can be produced directly (no generating-and-skipping).
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const BLOCK = 16;
const DEFAULT_CHUNK = 256 * 1024;

export class SeededContent {
  readonly seed: string;
  readonly size: number;
  readonly #key: Buffer;

  constructor(seed: string, size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad size ${size}`);
    this.seed = seed;
    this.size = size;
    this.#key = createHash('sha256').update(`berth-test-content:${seed}`).digest();
  }

  /** Bytes [start, end) as chunks of at most `chunkSize` bytes. */
  *chunks(start = 0, end = this.size, chunkSize = DEFAULT_CHUNK): Generator<Buffer> {
    if (start < 0 || end > this.size || start > end) throw new RangeError(`bad range [${start}, ${end}) of ${this.size}`);
    if (start === end) return;
    const cipher = createCipheriv('aes-256-ctr', this.#key, counterBlock(Math.floor(start / BLOCK)));
    const skip = start % BLOCK;
    if (skip > 0) cipher.update(Buffer.alloc(skip));
    const zeros = Buffer.alloc(Math.min(chunkSize, end - start));
    for (let position = start; position < end; ) {
      const length = Math.min(chunkSize, end - position);
      yield cipher.update(length === zeros.length ? zeros : zeros.subarray(0, length));
      position += length;
    }
  }

  /** Bytes [start, end) as a stream. */
  stream(start = 0, end = this.size, chunkSize = DEFAULT_CHUNK): Readable {
    return Readable.from(this.chunks(start, end, chunkSize), { objectMode: false });
  }

  /** Bytes [start, end) in one buffer; for small content only. */
  bytes(start = 0, end = this.size): Buffer {
    if (end - start > 8 * 1024 * 1024) throw new RangeError('use stream() or sha256() for large content');
    return Buffer.concat([...this.chunks(start, end)]);
  }

  /** Hex SHA-256 of bytes [start, end). */
  sha256(start = 0, end = this.size): string {
    const hash = createHash('sha256');
    for (const chunk of this.chunks(start, end)) hash.update(chunk);
    return hash.digest('hex');
  }

  /** Hex SHA-512 of the whole content. */
  sha512(): string {
    const hash = createHash('sha512');
    for (const chunk of this.chunks()) hash.update(chunk);
    return hash.digest('hex');
  }
}

function counterBlock(index: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.writeBigUInt64BE(BigInt(index), 8);
  return block;
}

/** Consumes a stream and returns the SHA-256 (hex) and byte count of what it produced. */
export async function hashStream(stream: AsyncIterable<unknown>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Consumes a stream into one buffer; for small content only. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}
