import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPostgresUrl, redactDatabaseUrl } from '../../../src/config/database-url.ts';

test("PostgreSQL URLs: both of libpq's schemes, nothing else", () => {
  for (const url of ['postgres://db/berth', 'postgresql://u:p@db:5433/berth?sslmode=verify-full', 'postgres:///berth?host=/run/postgresql', 'POSTGRES://db/x']) {
    assert.equal(isPostgresUrl(url), true, url);
  }
  for (const url of ['', 'db:5432', 'mysql://db/berth', 'http://db/berth', 'postgres://u:p@[bad/x', 'postgres:db']) assert.equal(isPostgresUrl(url), false, url);
});

test('redaction hides the password, in the user part and as a query parameter, and keeps the rest', () => {
  assert.equal(redactDatabaseUrl('postgres://berth:s3cr3t@db:5432/berth'), 'postgres://berth:***@db:5432/berth');
  assert.equal(redactDatabaseUrl('postgres://berth@db/berth?password=s3cr3t&sslmode=require'), 'postgres://berth@db/berth?password=***&sslmode=require');
  assert.equal(redactDatabaseUrl('postgres://db/berth'), 'postgres://db/berth', 'nothing to hide');
  assert.equal(redactDatabaseUrl('postgres://berth:p%40ss@db/berth'), 'postgres://berth:***@db/berth', 'an escaped password');
  assert.equal(redactDatabaseUrl('postgres://root:hunter2@[bad'), 'postgres://***@[bad', 'not parseable: everything before @ goes');
  assert.equal(redactDatabaseUrl('x?password=hunter2'), 'x?password=***');
});
