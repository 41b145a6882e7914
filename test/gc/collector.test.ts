// The collector suite (collector.suite.ts) on the filesystem and on the S3 test server.
import { after } from 'node:test';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store.ts';
import { S3BlobStore } from '../../src/storage/blob/s3/s3-blob-store.ts';
import { createS3Client } from '../../src/storage/blob/s3/s3-client.ts';
import { startS3TestServer, type S3TestServer } from '../helpers/s3/s3-test-server.ts';
import { describeCollector } from './collector.suite.ts';

describeCollector('the filesystem', async () => FsBlobStore.open({ root: await mkdtemp(join(tmpdir(), 'berth-gc-fs-')) }));

let s3: S3TestServer | undefined;
describeCollector('S3', async () => {
  s3 ??= await startS3TestServer();
  return S3BlobStore.open({
    client: createS3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.credentials }),
    bucket: s3.bucket,
    prefix: `gc-${randomUUID()}/`,
  });
});
after(async () => {
  await s3?.stop();
});
