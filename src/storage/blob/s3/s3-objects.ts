// The S3 calls the driver makes, on one bucket, with the SDK's shapes kept in here:
// the rest of the driver sees keys, byte ranges, Buffers and Readables.
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface ObjectInfo {
  readonly size: number;
  readonly modifiedAt: Date;
}

export interface ListedObject extends ObjectInfo {
  readonly key: string;
}

/** Inclusive byte range within one object. */
export interface ObjectRange {
  readonly start: number;
  readonly end: number;
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

export class S3Objects {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.client = client;
    this.bucket = bucket;
  }

  /** Fails unless the bucket exists and the credentials may use it. */
  async checkBucket(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Size and time of an object, without reading it; undefined when there is none. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      // A HEAD answer has no body, so a missing key is told by its status alone.
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** The object's bytes (or a range of them) as a stream; rejects with ObjectNotFound. */
  async get(key: string, range?: ObjectRange, options: CallOptions = {}): Promise<Readable> {
    try {
      const output = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
        { abortSignal: options.signal },
      );
      return output.Body as Readable;
    } catch (error) {
      if (nameOf(error) === 'NoSuchKey') throw new ObjectNotFound(key);
      throw error;
    }
  }

  async put(key: string, body: Buffer, options: CallOptions = {}): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.length }), {
      abortSignal: options.signal,
    });
  }

  /** A server-side copy of a whole object (at most 5 GiB). */
  async copy(from: string, to: string): Promise<void> {
    await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: this.#copySource(from) }));
  }

  /** Deleting an absent key succeeds, as in S3. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Deletes keys, a few at a time (single deletes: every S3-compatible store has them). */
  async deleteAll(keys: readonly string[], concurrency = 8): Promise<void> {
    await forEachLimited(keys, concurrency, (key) => this.delete(key));
  }

  /** Every object under `prefix`, in key order, one listing page at a time. */
  async *list(prefix: string, options: CallOptions = {}): AsyncIterable<ListedObject> {
    let token: string | undefined;
    do {
      options.signal?.throwIfAborted();
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        { abortSignal: options.signal },
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async createMultipart(key: string, options: CallOptions = {}): Promise<string> {
    const output = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }), {
      abortSignal: options.signal,
    });
    if (!output.UploadId) throw new Error(`S3 started no multipart upload for ${key}`);
    return output.UploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer, options: CallOptions = {}): Promise<CompletedPart> {
    const output = await this.client.send(
      new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length }),
      { abortSignal: options.signal },
    );
    return { PartNumber: partNumber, ETag: output.ETag };
  }

  /** A part copied server-side from (a range of) another object. */
  async copyPart(key: string, uploadId: string, partNumber: number, from: string, range?: ObjectRange, options: CallOptions = {}): Promise<CompletedPart> {
    const output = await this.client.send(
      new UploadPartCopyCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        CopySource: this.#copySource(from),
        ...(range ? { CopySourceRange: `bytes=${range.start}-${range.end}` } : {}),
      }),
      { abortSignal: options.signal },
    );
    return { PartNumber: partNumber, ETag: output.CopyPartResult?.ETag };
  }

  /** Makes the object appear, whole, from its parts. (Ceph RGW 16 answers with an empty ETag: it is not used.) */
  async completeMultipart(key: string, uploadId: string, parts: readonly CompletedPart[], options: CallOptions = {}): Promise<void> {
    await this.client.send(
      new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [...parts] } }),
      { abortSignal: options.signal },
    );
  }

  /** Best effort: an upload left behind is removed by the bucket's lifecycle rule (docs/storage-layout.md). */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
  }

  /** A URL anyone may GET the object with until it expires. */
  presignGet(key: string, ttlSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: ttlSeconds });
  }

  #copySource(key: string): string {
    return `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }
}

export class ObjectNotFound extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`no object ${key}`);
    this.name = 'ObjectNotFound';
    this.key = key;
  }
}

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Runs `work` over the items with at most `limit` running at once; rejects with the first failure. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failed) {
      const index = next++;
      await work(items[index]!, index).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  });
  await Promise.all(runners);
}
