// The S3 BlobStore against the BlobStore contract, on an S3-compatible server the
// test starts itself (test/helpers/s3), under a fresh key prefix.
import { after, before } from 'node:test';
import { randomUUID } from 'node:crypto';
import { S3BlobStore } from '../../src/storage/blob/s3/s3-blob-store.ts';
import { createS3Client } from '../../src/storage/blob/s3/s3-client.ts';
import { describeBlobStore } from '../conformance/blob-store.suite.ts';
import { startS3TestServer, type S3TestServer } from '../helpers/s3/s3-test-server.ts';

let server: S3TestServer;
before(async () => {
  server = await startS3TestServer();
});
after(async () => {
  await server?.stop();
});

describeBlobStore({
  timeoutMs: 180_000,
  name: 's3',
  create: () =>
    S3BlobStore.open({
      client: createS3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: server.credentials }),
      bucket: server.bucket,
      prefix: `suite-${randomUUID()}/`,
    }),
  destroy: (store) => store.close(),
  skip: [],
});
