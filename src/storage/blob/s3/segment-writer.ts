// A Writable that stores one append's bytes as segment objects (staging-plan.ts):
// the stream is cut at each segment's target size, whatever sizes the client's chunks
// have, so S3's part rules never reach the protocol.
//
// Memory is one part buffer (PART_BUFFER_BYTES) whatever the blob's size. A segment
// that fits the buffer is one PutObject; a larger one is its own multipart upload of
// buffer-sized parts, completed when the segment is full or the append ends. Either
// way a segment appears whole or not at all, so a failed append leaves the staging
// area as a list of whole segments that the next append trims.
//
// An append may continue the last staged segment (the "prefix"): its bytes are read
// back into the buffer when they fit, else copied server-side as the first part.
import { Writable } from 'node:stream';
import type { CompletedPart } from '@aws-sdk/client-s3';
import type { PartBuffers } from './part-buffers.ts';
import type { S3Objects } from './s3-objects.ts';

export interface SegmentWriterOptions {
  readonly objects: S3Objects;
  readonly buffers: PartBuffers;
  /** The key of the segment that starts at an offset. */
  readonly keyAt: (start: number) => string;
  /** Target size of the segment at an index (part-size.ts). */
  readonly targetSize: (index: number) => number;
  /** Offset and index of the first segment written. */
  readonly start: number;
  readonly index: number;
  /** Staged bytes the first segment begins with (read from its current object). */
  readonly prefix?: { readonly length: number; readonly rewrite: boolean } | undefined;
}

export class SegmentWriter extends Writable {
  /** Bytes taken from the source (the prefix is not counted). */
  bytesWritten = 0;
  readonly #objects: S3Objects;
  readonly #buffers: PartBuffers;
  readonly #keyAt: (start: number) => string;
  readonly #targetSize: (index: number) => number;
  readonly #abort = new AbortController();
  #prefix: { readonly length: number; readonly rewrite: boolean } | undefined;
  #start: number;
  #index: number;
  #opened = false;
  #target = 0;
  /** Bytes of the current segment so far, in S3 or in the buffer. */
  #filled = 0;
  #buffer: Buffer | undefined;
  #used = 0;
  #multipart: { readonly uploadId: string; readonly parts: CompletedPart[] } | undefined;

  constructor(options: SegmentWriterOptions) {
    super();
    this.#objects = options.objects;
    this.#buffers = options.buffers;
    this.#keyAt = options.keyAt;
    this.#targetSize = options.targetSize;
    this.#start = options.start;
    this.#index = options.index;
    this.#prefix = options.prefix;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#accept(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#abort.abort(error ?? new Error('the segment writer was closed'));
    const multipart = this.#multipart;
    this.#multipart = undefined;
    // Not awaited: the caller is told about the failure now, and S3 cleans up after
    // itself if this never arrives. The buffer is dropped, not pooled: an aborted
    // request might still be reading it.
    if (multipart) void this.#objects.abortMultipart(this.#keyAt(this.#start), multipart.uploadId);
    this.#buffer = undefined;
    callback(error);
  }

  get #signal(): AbortSignal {
    return this.#abort.signal;
  }

  async #accept(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.#opened) await this.#open();
      const buffer = this.#buffer!;
      if (this.#filled === this.#target) {
        await this.#seal();
        continue;
      }
      if (this.#used === buffer.length) {
        await this.#sendPart();
        continue;
      }
      const count = Math.min(this.#target - this.#filled, buffer.length - this.#used, chunk.length - offset);
      chunk.copy(buffer, this.#used, offset, offset + count);
      this.#used += count;
      this.#filled += count;
      this.bytesWritten += count;
      offset += count;
    }
  }

  async #finish(): Promise<void> {
    // A cut prefix is rewritten even when no byte follows: that is how the tail is trimmed.
    if (!this.#opened && this.#prefix?.rewrite) await this.#open();
    if (this.#opened) await this.#seal();
    if (this.#buffer) this.#buffers.release(this.#buffer);
    this.#buffer = undefined;
  }

  /** Starts the current segment, with the prefix when this is the first one. */
  async #open(): Promise<void> {
    this.#buffer ??= this.#buffers.acquire();
    const prefix = this.#prefix?.length ?? 0;
    this.#prefix = undefined;
    this.#opened = true;
    this.#target = Math.max(this.#targetSize(this.#index), prefix);
    this.#filled = 0;
    this.#used = 0;
    if (prefix === 0) return;
    const key = this.#keyAt(this.#start);
    if (prefix <= this.#buffer.length) {
      await this.#readInto(key, prefix);
    } else {
      // More than a part: S3 copies it into the new object as part 1 (it is >= 5 MiB).
      const uploadId = await this.#objects.createMultipart(key, { signal: this.#signal });
      this.#multipart = { uploadId, parts: [] };
      this.#multipart.parts.push(await this.#objects.copyPart(key, uploadId, 1, key, { start: 0, end: prefix - 1 }, { signal: this.#signal }));
    }
    this.#filled = prefix;
  }

  async #readInto(key: string, length: number): Promise<void> {
    const buffer = this.#buffer!;
    const body = await this.#objects.get(key, { start: 0, end: length - 1 }, { signal: this.#signal });
    for await (const piece of body) {
      const bytes = piece as Buffer;
      if (this.#used + bytes.length > length) throw new Error(`S3 returned more than the ${length} bytes asked of ${key}`);
      bytes.copy(buffer, this.#used);
      this.#used += bytes.length;
    }
    if (this.#used !== length) throw new Error(`S3 returned ${this.#used} of the ${length} bytes asked of ${key}`);
  }

  /** Sends the full buffer as the next part of the current segment's multipart upload. */
  async #sendPart(): Promise<void> {
    const key = this.#keyAt(this.#start);
    this.#multipart ??= { uploadId: await this.#objects.createMultipart(key, { signal: this.#signal }), parts: [] };
    const { uploadId, parts } = this.#multipart;
    parts.push(await this.#objects.uploadPart(key, uploadId, parts.length + 1, this.#buffer!.subarray(0, this.#used), { signal: this.#signal }));
    this.#used = 0;
  }

  /** Stores the current segment (it becomes visible whole) and moves to the next. */
  async #seal(): Promise<void> {
    const key = this.#keyAt(this.#start);
    if (this.#multipart) {
      if (this.#used > 0) await this.#sendPart(); // the last part may be small
      await this.#objects.completeMultipart(key, this.#multipart.uploadId, this.#multipart.parts, { signal: this.#signal });
      this.#multipart = undefined;
    } else {
      await this.#objects.put(key, this.#buffer!.subarray(0, this.#used), { signal: this.#signal });
    }
    this.#start += this.#filled;
    this.#index += 1;
    this.#opened = false;
    this.#filled = 0;
    this.#used = 0;
  }
}
