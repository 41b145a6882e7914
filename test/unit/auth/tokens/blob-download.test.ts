import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { checkBlobDownload, presignBlobDownload } from '../../../../src/auth/tokens/blob-download.ts';

const key = randomBytes(32);
const digest = `sha256:${'a'.repeat(64)}`;
const grant = { repository: 'team/app', digest, accessKeyId: 'AKIAEXAMPLE', expires: 2_000 };

test('a pre-signed download checks out for its blob until it expires', () => {
  const query = presignBlobDownload(key, grant);
  assert.deepEqual(checkBlobDownload(key, query, 'team/app', digest, 1_999), { ok: true, accessKeyId: 'AKIAEXAMPLE' });
  assert.deepEqual(checkBlobDownload(key, query, 'team/app', digest, 2_000), { ok: false, reason: 'expired' });
});

test('another blob, repository, server key or an altered parameter is refused', () => {
  const query = presignBlobDownload(key, grant);
  assert.equal(checkBlobDownload(key, query, 'team/other', digest, 1).ok, false);
  assert.equal(checkBlobDownload(key, query, 'team/app', `sha256:${'b'.repeat(64)}`, 1).ok, false);
  assert.equal(checkBlobDownload(randomBytes(32), query, 'team/app', digest, 1).ok, false);
  for (const [name, value] of [['X-Berth-Expires', '999999'], ['X-Berth-Credential', 'AKIAOTHER'], ['X-Berth-Signature', 'AAAA'], ['X-Berth-Expires', '1e9']]) {
    const altered = new URLSearchParams(query);
    altered.set(name!, value!);
    assert.deepEqual(checkBlobDownload(key, altered, 'team/app', digest, 1), { ok: false, reason: 'invalid' }, `${name}=${value}`);
  }
  assert.deepEqual(checkBlobDownload(key, new URLSearchParams(), 'team/app', digest, 1), { ok: false, reason: 'absent' });
});
