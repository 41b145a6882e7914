// A PostgreSQL connection that fails while Berth holds it: the server ends the backend
// (an administrator's pg_terminate_backend, a failover, a restart) in the middle of a
// transaction. The transaction must fail as a rejected promise and the pool must carry
// on with fresh connections — never an unhandled 'error' event, which ends the process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresConnection } from '../../src/storage/meta/postgres/postgres-connection.ts';
import { postgresMissing, startTestPostgres } from '../helpers/postgres.ts';

const missing = postgresMissing();
const server = missing === undefined ? await startTestPostgres() : undefined;
const skip = missing ?? false;
let connection: PostgresConnection;
let admin: pg.Client;
const idleErrors: Error[] = [];

before(async () => {
  if (!server) return;
  const url = await server.createDatabase();
  connection = await PostgresConnection.open({ url, poolSize: 2, onError: (error) => idleErrors.push(error) });
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});

after(async () => {
  await admin?.end();
  await connection?.close();
  await server?.stop();
});

async function terminate(pid: number): Promise<void> {
  const { rows } = await admin.query('SELECT pg_terminate_backend($1) AS ended', [pid]);
  assert.equal(rows[0].ended, true);
}

test('a backend ended between two statements of a transaction fails that transaction, and the next one works', { skip }, async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    await assert.rejects(
      connection.transaction(async (tx) => {
        const pid = Number((await tx.get('SELECT pg_backend_pid() AS pid'))!.pid);
        await terminate(pid);
        // The socket's failure arrives while no statement runs: the moment nobody listened.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.get('SELECT 1 AS one');
      }),
    );
    // Both connections of the pool are usable again: the broken one was destroyed, not reused.
    const results = await Promise.all([1, 2, 3, 4].map(() => connection.transaction((tx) => tx.get('SELECT 1 AS one'))));
    assert.deepEqual(results.map((row) => row?.one), [1, 1, 1, 1]);
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

test('an idle connection ended by the server is reported to onError and replaced', { skip }, async () => {
  await connection.transaction((tx) => tx.get('SELECT 1 AS one'));
  const { rows } = await admin.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'berth' AND pid <> pg_backend_pid()`);
  assert.ok(rows.length > 0);
  for (const row of rows) await terminate(Number(row.pid));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(idleErrors.length > 0, 'the pool told onError');
  assert.equal((await connection.get('SELECT 2 AS two'))?.two, 2);
});
