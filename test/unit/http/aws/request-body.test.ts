import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readLimitedBody } from '../../../../src/http/aws/request-body.ts';
import { BODY_LIMITS, DEFAULT_BODY_LIMIT, parseJsonObject } from '../../../../src/http/aws/json-protocol.ts';
import type { BodySource } from '../../../../src/http/aws/request-body.ts';

/** A request body made of `count` chunks of `size` bytes, counting how many were pulled. */
function body(count: number, size: number, headers: Record<string, string> = {}): BodySource & { pulled: () => number } {
  let pulled = 0;
  const source = (function* () {
    for (let i = 0; i < count; i++) {
      pulled++;
      yield Buffer.alloc(size, 0x61 + (i % 26));
    }
  })();
  return Object.assign(Readable.from(source), { headers, pulled: () => pulled });
}

test('a body within the limit is returned whole, its chunks joined', async () => {
  const result = await readLimitedBody(body(3, 4), 12);
  assert.deepEqual(result, { ok: true, bytes: Buffer.from('aaaabbbbcccc') });
  assert.deepEqual(await readLimitedBody(body(0, 0), 12), { ok: true, bytes: Buffer.alloc(0) });
});

test('a body split across chunks, even inside a UTF-8 character, is joined before it is parsed', async () => {
  const text = Buffer.from('{"policyText":"é…"}');
  const chunks = [text.subarray(0, 16), text.subarray(16, 17), text.subarray(17)];
  const result = await readLimitedBody(Object.assign(Readable.from(chunks), { headers: {} }), DEFAULT_BODY_LIMIT);
  assert.equal(result.ok, true);
  if (!result.ok) return;
  assert.deepEqual(parseJsonObject(result.bytes), { ok: true, value: { policyText: 'é…' } });
});

test('the limit depends on the operation: layer parts and manifests get more than the default', async () => {
  const twoMiB = (): BodySource => Object.assign(Readable.from([Buffer.alloc(2 * 1024 * 1024, 0x20)]), { headers: {} });
  assert.deepEqual(await readLimitedBody(twoMiB(), DEFAULT_BODY_LIMIT), { ok: false, reason: 'too-large', drained: true });
  for (const operation of ['UploadLayerPart', 'PutImage']) {
    const result = await readLimitedBody(twoMiB(), BODY_LIMITS[operation]!);
    assert.equal(result.ok && result.bytes.length, 2 * 1024 * 1024, operation);
  }
  // The largest part ECR takes (20,971,520 bytes) as base64 fits UploadLayerPart's limit.
  assert.ok(BODY_LIMITS['UploadLayerPart']! > Math.ceil(20_971_520 / 3) * 4);
});

test('a body over the limit is read to its end and dropped, so the connection can stay open', async () => {
  const request = body(10, 1000);
  assert.deepEqual(await readLimitedBody(request, 2500, 1_000_000), { ok: false, reason: 'too-large', drained: true });
  assert.equal(request.pulled(), 10);
  const declared = body(10, 1000, { 'content-length': '10000' });
  assert.deepEqual(await readLimitedBody(declared, 2500, 1_000_000), { ok: false, reason: 'too-large', drained: true });
});

test('a declared length past the drain cap is refused without reading a byte', async () => {
  const request = body(10, 1000, { 'content-length': '10000' });
  assert.deepEqual(await readLimitedBody(request, 2500, 5000), { ok: false, reason: 'too-large', drained: false });
  assert.equal(request.pulled(), 0);
});

test('a streamed body past the drain cap stops being read', async () => {
  const request = body(1000, 1000);
  assert.deepEqual(await readLimitedBody(request, 2500, 5000), { ok: false, reason: 'too-large', drained: false });
  assert.ok(request.pulled() < 20, `pulled ${request.pulled()} chunks`);
});

test('a client that goes away mid-body leaves nobody to answer', async () => {
  let sent = 0;
  const broken = new Readable({
    read() {
      if (sent++ === 0) this.push(Buffer.from('{"partial":'));
      else this.destroy(new Error('aborted'));
    },
  });
  assert.deepEqual(await readLimitedBody(Object.assign(broken, { headers: {} }), 1000), { ok: false, reason: 'aborted' });
});
