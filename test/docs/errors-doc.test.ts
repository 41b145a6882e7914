// The error catalogue and docs/errors.md must list the same codes with the same wire forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CATALOG } from '../../src/errors/catalog.ts';
import { projectRoot } from '../helpers/berth-process.ts';

test('docs/errors.md documents every catalogue row exactly', async () => {
  const page = await readFile(join(projectRoot, 'docs', 'errors.md'), 'utf8');
  const documented = new Map<string, string[]>();
  for (const line of page.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim().replaceAll('`', ''));
    if (cells.length >= 6 && cells[1] && cells[1] in ERROR_CATALOG) documented.set(cells[1], cells.slice(2, 5));
  }
  for (const [code, wire] of Object.entries(ERROR_CATALOG)) {
    assert.deepEqual(documented.get(code), [wire.oci, String(wire.status), wire.ecr], `row for ${code}`);
  }
  assert.equal(documented.size, Object.keys(ERROR_CATALOG).length);
});
