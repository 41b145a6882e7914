import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CATALOG } from '../../../src/errors/catalog.ts';
import { ERROR_CODES } from '../../helpers/oci-conformance-fixtures.ts';
import { RegistryError, isRegistryError } from '../../../src/errors/registry-error.ts';

/** The error codes of the OCI distribution spec, as the conformance tests list them. */
const SPEC_CODES: readonly string[] = ERROR_CODES;
/** Not in the spec's table but used on purpose: Distribution's codes where the spec has none (see docs/errors.md). */
const ALSO_ALLOWED = ['UNKNOWN', 'PAGINATION_NUMBER_INVALID', 'RANGE_INVALID'];

/** The members of the ErrorCode union, read from its source (a type has no runtime value). */
function errorCodes(): string[] {
  const source = readFileSync(new URL('../../../src/errors/registry-error.ts', import.meta.url), 'utf8');
  const union = /export type ErrorCode\s*=([^;]+);/.exec(source);
  assert.ok(union, 'ErrorCode union not found in registry-error.ts');
  const codes = [...union[1]!.matchAll(/'([A-Z0-9_]+)'/g)].map((match) => match[1]!);
  assert.ok(codes.length >= 10, `parsed only ${codes.length} codes`);
  return codes;
}

test('every ErrorCode has exactly one catalogue row, and no row is for an unknown code', () => {
  assert.deepEqual(Object.keys(ERROR_CATALOG).sort(), errorCodes().sort());
});

test('every OCI code in the catalogue is a distribution-spec code (or UNKNOWN / Distribution PAGINATION_NUMBER_INVALID and RANGE_INVALID)', () => {
  const allowed = new Set([...SPEC_CODES, ...ALSO_ALLOWED]);
  const offending = Object.entries(ERROR_CATALOG)
    .filter(([, wire]) => !allowed.has(wire.oci))
    .map(([code, wire]) => `${code} → ${wire.oci}`);
  assert.deepEqual(offending, []);
});

test('codes that exist in the spec map to themselves', () => {
  for (const code of errorCodes()) {
    if (SPEC_CODES.includes(code)) assert.equal(ERROR_CATALOG[code as keyof typeof ERROR_CATALOG].oci, code, code);
  }
});

test('every row has an error status, a message and an ECR exception name', () => {
  for (const [code, wire] of Object.entries(ERROR_CATALOG)) {
    assert.ok(Number.isInteger(wire.status) && wire.status >= 400 && wire.status <= 599, `${code} status ${wire.status}`);
    assert.ok(wire.message.trim().length > 0, `${code} message`);
    assert.match(wire.ecr, /^[A-Z][A-Za-z]+Exception$/, `${code} ecr`);
  }
});

test('statuses the distribution spec fixes', () => {
  const expected: Record<string, number> = {
    BLOB_UNKNOWN: 404,
    BLOB_UPLOAD_UNKNOWN: 404,
    MANIFEST_UNKNOWN: 404,
    NAME_UNKNOWN: 404,
    DIGEST_INVALID: 400,
    MANIFEST_INVALID: 400,
    NAME_INVALID: 400,
    RANGE_INVALID: 416,
    RANGE_NOT_SATISFIABLE: 416,
    UNAUTHORIZED: 401,
    DENIED: 403,
    TOOMANYREQUESTS: 429,
    MANIFEST_TOO_LARGE: 413,
    INTERNAL: 500,
  };
  for (const [code, status] of Object.entries(expected)) {
    assert.equal(ERROR_CATALOG[code as keyof typeof ERROR_CATALOG].status, status, code);
  }
});

test('RegistryError carries code, message, detail and headers', () => {
  const error = new RegistryError('RANGE_INVALID', 'bad chunk', { offset: 3 }, { Range: '0-2' });
  assert.ok(isRegistryError(error));
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'RegistryError');
  assert.equal(error.code, 'RANGE_INVALID');
  assert.equal(error.message, 'bad chunk');
  assert.deepEqual(error.detail, { offset: 3 });
  assert.deepEqual(error.headers, { Range: '0-2' });
  assert.deepEqual(new RegistryError('INTERNAL', 'x').headers, {});
  assert.equal(isRegistryError(new Error('x')), false);
});
