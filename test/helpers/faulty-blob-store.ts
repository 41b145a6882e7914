// A BlobStore decorator for fault injection: the tests hold a call at a gate (a store
// that is slow to start an operation, or to report its end) or slow down how fast an
// append reads its source (a slow disk or bucket), then let it go on. Everything else
// goes to the store underneath unchanged.
import { Readable } from 'node:stream';
import type { Digest } from '../../src/model/digest.ts';
import type {
  AppendOptions,
  BlobStat,
  BlobStore,
  ByteRange,
  OperationOptions,
  RandomAccessBlob,
  StagedUpload,
  StoredBlob,
} from '../../src/storage/blob/blob-store.ts';

export type GatedMethod = 'appendUpload' | 'commitUpload' | 'read' | 'openRandomAccess' | 'readUpload';

/** One held call: `reached` resolves when the call arrives; it goes on once `open()` is called. */
export interface Gate {
  readonly reached: Promise<void>;
  open(): void;
}

interface PendingGate {
  readonly method: GatedMethod;
  /** Before the call goes to the store, or after it returned (before the caller hears). */
  readonly when: 'before' | 'after';
  readonly arrive: () => void;
  readonly released: Promise<void>;
}

export class FaultyBlobStore implements BlobStore {
  readonly inner: BlobStore;
  #gates: PendingGate[] = [];
  #appendChunkDelayMs = 0;

  constructor(inner: BlobStore) {
    this.inner = inner;
  }

  get name(): string {
    return this.inner.name;
  }

  get capabilities() {
    return this.inner.capabilities;
  }

  /** Holds the next call of `method`, before it reaches the store or after it returned. */
  hold(method: GatedMethod, when: 'before' | 'after' = 'before'): Gate {
    let arrive!: () => void;
    let open!: () => void;
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (open = resolve));
    this.#gates.push({ method, when, arrive, released });
    return { reached, open };
  }

  /** Every chunk an append takes from its source waits this long first (0: no delay). */
  slowAppends(delayMs: number): void {
    this.#appendChunkDelayMs = delayMs;
  }

  async #pass(method: GatedMethod, when: 'before' | 'after'): Promise<void> {
    const index = this.#gates.findIndex((gate) => gate.method === method && gate.when === when);
    if (index === -1) return;
    const [gate] = this.#gates.splice(index, 1);
    gate!.arrive();
    await gate!.released;
  }

  async #gated<T>(method: GatedMethod, call: () => Promise<T>): Promise<T> {
    await this.#pass(method, 'before');
    const result = await call();
    await this.#pass(method, 'after');
    return result;
  }

  stat(digest: Digest): Promise<BlobStat | undefined> {
    return this.inner.stat(digest);
  }

  read(digest: Digest, range?: ByteRange): Promise<Readable> {
    return this.#gated('read', () => this.inner.read(digest, range));
  }

  get openRandomAccess(): ((digest: Digest) => Promise<RandomAccessBlob>) | undefined {
    const inner = this.inner;
    if (!inner.openRandomAccess) return undefined;
    return (digest) => this.#gated('openRandomAccess', () => inner.openRandomAccess!(digest));
  }

  get presignedUrl(): ((digest: Digest, ttlSeconds: number) => Promise<string>) | undefined {
    const inner = this.inner;
    return inner.presignedUrl ? (digest, ttl) => inner.presignedUrl!(digest, ttl) : undefined;
  }

  delete(digest: Digest): Promise<boolean> {
    return this.inner.delete(digest);
  }

  list(options?: OperationOptions): AsyncIterable<StoredBlob> {
    return this.inner.list(options);
  }

  createUpload(id: string): Promise<void> {
    return this.inner.createUpload(id);
  }

  appendUpload(id: string, offset: number, source: Readable, options?: AppendOptions): Promise<number> {
    return this.#gated('appendUpload', () => this.inner.appendUpload(id, offset, this.#slowed(source), options));
  }

  /** The source as the store sees it: each chunk after the configured delay. */
  #slowed(source: Readable): Readable {
    const delayMs = this.#appendChunkDelayMs;
    if (delayMs === 0) return source;
    return Readable.from(
      (async function* () {
        for await (const chunk of source) {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          yield chunk as Buffer;
        }
      })(),
      { objectMode: false },
    );
  }

  readUpload(id: string, length: number): Promise<Readable> {
    return this.#gated('readUpload', () => this.inner.readUpload(id, length));
  }

  commitUpload(id: string, length: number, digest: Digest): Promise<void> {
    return this.#gated('commitUpload', () => this.inner.commitUpload(id, length, digest));
  }

  deleteUpload(id: string): Promise<void> {
    return this.inner.deleteUpload(id);
  }

  listUploads(options?: OperationOptions): AsyncIterable<StagedUpload> {
    return this.inner.listUploads(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
