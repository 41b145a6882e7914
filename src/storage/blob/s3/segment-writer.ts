// A Writable that stores one append's bytes as segment objects (staging-plan.ts):
// the stream is cut at each segment's target size, whatever sizes the client's chunks
// have, so S3's part rules never reach the protocol.
//
// Receiving and uploading overlap: when a part buffer (PART_BUFFER_BYTES) is full its
// upload starts in the background and the client's next bytes go into a second
// buffer. Uploads still run one at a time and in order (the next one starts only once
// the previous one has settled), so memory is at most two part buffers whatever the
// blob's size, segment N is always stored before segment N + 1 is written, and an
// interrupted append leaves a run of whole segments (plus, at worst, one multipart
// upload that is aborted), exactly as when nothing overlapped.
//
// A segment that fits a buffer is one PutObject; a larger one is its own multipart
// upload of buffer-sized parts, completed when the segment is full or the append ends.
// Either way a segment appears whole or not at all, so a failed append leaves the
// staging area as a list of whole segments that the next append trims.
//
// An append may continue the last staged segment (the "prefix"): its bytes are read
// back into the buffer when they fit, else copied server-side as the first part.
//
// Failure: the first upload that fails destroys the writer at once with its error (the
// pipeline then stops the client), even while the client is idle. However the writer
// ends, it reports only after the work it started has settled: an upload in flight is
// aborted through the writer's signal and waited for, so nothing is still writing to
// the staging area once appendUpload has settled.
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

/** A segment written as a multipart upload. Its parts are numbered when their upload starts. */
interface Multipart {
  readonly key: string;
  uploadId: string | undefined;
  readonly parts: CompletedPart[];
  /** Parts numbered so far (uploaded or in flight). */
  numbered: number;
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
  /** Bytes of the current segment so far, in S3, in flight or in the buffer. */
  #filled = 0;
  /** The buffer being filled from the source, and how much of it is. */
  #buffer: Buffer | undefined;
  #used = 0;
  /** The other buffer: the body of the upload in flight, or idle. */
  #spare: Buffer | undefined;
  #multipart: Multipart | undefined;
  /** Multipart uploads created and not completed: aborted if the writer is destroyed. */
  readonly #unfinished = new Set<Multipart>();
  /** The upload in flight (never rejects: a failure lands in #failure). */
  #pending: Promise<void> = Promise.resolve();
  #failure: { readonly error: unknown } | undefined;
  /** The _write or _final in progress, settled (destroy waits for it). */
  #working: Promise<void> = Promise.resolve();

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
    this.#track(this.#accept(chunk), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#track(this.#finish(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#abort.abort(error ?? new Error('the segment writer was closed'));
    // The abort cuts the requests in flight short; the caller hears of the failure once
    // they have settled, so no upload outlives the append.
    void Promise.all([this.#pending, this.#working]).then(() => {
      // Not awaited: S3 cleans up after itself if this never arrives.
      for (const multipart of this.#unfinished) void this.#objects.abortMultipart(multipart.key, multipart.uploadId!);
      this.#unfinished.clear();
      this.#multipart = undefined;
      // The buffers are dropped, not pooled: an aborted request might still be reading one.
      this.#buffer = undefined;
      this.#spare = undefined;
      callback(error);
    });
  }

  #track(work: Promise<void>, callback: (error?: Error | null) => void): void {
    this.#working = work.then(
      () => undefined,
      () => undefined,
    );
    work.then(() => callback(), callback);
  }

  get #signal(): AbortSignal {
    return this.#abort.signal;
  }

  async #accept(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.#opened) await this.#open();
      if (this.#filled === this.#target) {
        await this.#seal();
        continue;
      }
      const buffer = (this.#buffer ??= this.#buffers.acquire());
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
    await this.#settled();
    for (const buffer of [this.#buffer, this.#spare]) if (buffer) this.#buffers.release(buffer);
    this.#buffer = undefined;
    this.#spare = undefined;
  }

  /** Starts the current segment, with the prefix when this is the first one. */
  async #open(): Promise<void> {
    const prefix = this.#prefix?.length ?? 0;
    this.#prefix = undefined;
    this.#opened = true;
    this.#target = Math.max(this.#targetSize(this.#index), prefix);
    this.#filled = 0;
    if (prefix === 0) return;
    // Only the first segment has a prefix, so no upload is in flight yet.
    const key = this.#keyAt(this.#start);
    const buffer = (this.#buffer ??= this.#buffers.acquire());
    if (prefix <= buffer.length) {
      await this.#readInto(key, prefix);
    } else {
      // More than a part: S3 copies it into the new object as part 1 (it is >= 5 MiB).
      const multipart: Multipart = { key, uploadId: undefined, parts: [], numbered: 1 };
      this.#multipart = multipart;
      await this.#create(multipart);
      multipart.parts[0] = await this.#objects.copyPart(key, multipart.uploadId!, 1, key, { start: 0, end: prefix - 1 }, { signal: this.#signal });
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

  async #create(multipart: Multipart): Promise<void> {
    if (multipart.uploadId !== undefined) return;
    multipart.uploadId = await this.#objects.createMultipart(multipart.key, { signal: this.#signal });
    this.#unfinished.add(multipart);
  }

  async #uploadPart(multipart: Multipart, partNumber: number, body: Buffer): Promise<void> {
    await this.#create(multipart);
    multipart.parts[partNumber - 1] = await this.#objects.uploadPart(multipart.key, multipart.uploadId!, partNumber, body, { signal: this.#signal });
  }

  /** Sends the full buffer as the next part of the current segment's multipart upload. */
  async #sendPart(): Promise<void> {
    const multipart = (this.#multipart ??= { key: this.#keyAt(this.#start), uploadId: undefined, parts: [], numbered: 0 });
    const partNumber = ++multipart.numbered;
    await this.#launch((body) => this.#uploadPart(multipart, partNumber, body));
  }

  /** Stores the current segment (it becomes visible whole, in the background) and moves to the next. */
  async #seal(): Promise<void> {
    const multipart = this.#multipart;
    if (multipart) {
      // The last part may be small (or absent when the buffer was just sent).
      const last = this.#used > 0 ? ++multipart.numbered : undefined;
      await this.#launch(async (body) => {
        if (last !== undefined) await this.#uploadPart(multipart, last, body);
        await this.#create(multipart);
        await this.#objects.completeMultipart(multipart.key, multipart.uploadId!, multipart.parts, { signal: this.#signal });
        this.#unfinished.delete(multipart);
      });
      this.#multipart = undefined;
    } else {
      const key = this.#keyAt(this.#start);
      await this.#launch((body) => this.#objects.put(key, body, { signal: this.#signal }));
    }
    this.#start += this.#filled;
    this.#index += 1;
    this.#opened = false;
    this.#filled = 0;
  }

  /**
   * Starts uploading the filled part of the buffer once the previous upload has
   * settled, and gives the source the other buffer. Throws the error of a failed upload.
   */
  async #launch(upload: (body: Buffer) => Promise<void>): Promise<void> {
    await this.#settled();
    // Destroyed while waiting: start nothing that destroy would not wait for.
    this.#signal.throwIfAborted();
    const body = (this.#buffer ?? Buffer.alloc(0)).subarray(0, this.#used);
    // The previous upload's buffer is free again; a second one is taken only when needed.
    [this.#buffer, this.#spare] = [this.#spare, this.#buffer];
    this.#used = 0;
    // Started a microtask later so that #pending is set before any of it runs: whatever
    // destroys the writer from then on waits for this upload.
    this.#pending = Promise.resolve()
      .then(() => upload(body))
      .then(
        () => undefined,
        (error: unknown) => {
          this.#failure ??= { error };
          this.destroy(error instanceof Error ? error : new Error(String(error)));
        },
      );
  }

  /** Waits for the upload in flight; throws the error of the first one that failed. */
  async #settled(): Promise<void> {
    await this.#pending;
    if (this.#failure) throw this.#failure.error;
  }
}
