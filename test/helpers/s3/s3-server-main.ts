// A throwaway S3-compatible server for tests (@20minutes/s3rver on a temporary
// directory), run as its own process by s3-test-server.ts so that its memory and
// event loop stay out of the measurements of the process under test.
//
// Usage: node s3-server-main.ts <data directory> <bucket>
// Prints one JSON line {"endpoint": "http://127.0.0.1:<port>"} once it listens.
// Credentials are s3rver's built-in account: S3RVER / S3RVER.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) throw new Error('usage: s3-server-main.ts <directory> <bucket>');

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver');
const signatureV4 = require('@20minutes/s3rver/lib/signature/v4.js') as {
  getStringToSign: (canonical: { uri: string }, request: unknown) => string;
};

// s3rver rebuilds the canonical URI from the route's bucket and key and so drops the
// trailing slash of bucket-level requests (`GET /bucket/?list-type=2`, `POST
// /bucket/?delete`), which the AWS SDK signs with the slash: every listing would
// fail with SignatureDoesNotMatch. S3 signs the path as sent, so put the slash back
// when the request had one; signatures are still checked.
const requestPath = new AsyncLocalStorage<string>();
const stringToSign = signatureV4.getStringToSign;
signatureV4.getStringToSign = (canonical, request) => {
  const path = requestPath.getStore() ?? '';
  const uri = path.endsWith('/') && !canonical.uri.endsWith('/') ? `${canonical.uri}/` : canonical.uri;
  return stringToSign({ ...canonical, uri }, request);
};

// s3rver reads `Range: bytes=0-0` (and an UploadPartCopy range ending at 0) as "to the
// end", since it tests the end with `||`: S3 answers with one byte.
interface StoredObject {
  content?: { destroy(): void } | null;
  range?: { start: number; end: number };
}
const FilesystemStore = require('@20minutes/s3rver/lib/stores/filesystem.js') as {
  prototype: {
    getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<StoredObject | null>;
    getResourcePath(bucket: string, key: string, type: string): string;
  };
};
const getObject = FilesystemStore.prototype.getObject;
FilesystemStore.prototype.getObject = async function (bucket, key, options) {
  const object = await getObject.call(this, bucket, key, options);
  if (object?.content && object.range && options?.end === 0) {
    object.content.destroy();
    object.range = { start: object.range.start, end: 0 };
    object.content = createReadStream(this.getResourcePath(bucket, key, 'object'), { start: object.range.start, end: 0 });
  }
  return object;
};

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: process.env.BERTH_S3_TEST_SERVER_LOG !== '1',
  directory,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket }],
});
// Koa composes its middleware when the server starts listening: this one runs first.
(server.middleware as Array<(ctx: { path: string }, next: () => Promise<void>) => Promise<void>>).unshift((ctx, next) =>
  requestPath.run(ctx.path, next),
);
const address = (await server.run()) as { port: number };
process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${address.port}` })}\n`);

const stop = () => {
  server.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
