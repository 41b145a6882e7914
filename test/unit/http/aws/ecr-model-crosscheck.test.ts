// Compares our operation list and input tables with the ECR model botocore ships, when
// one is installed (the AWS CLI brings it). The model is read at test time, never copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { botocoreModels, type BotocoreShape } from '../../../helpers/botocore-models.ts';
import { ECR_OPERATION_NAMES } from '../../../../src/http/aws/ecr-operations.ts';
import { ECR_INPUT_SHAPES } from '../../../../src/http/aws/ecr-inputs.ts';
import type { Spec } from '../../../../src/http/aws/ecr-shapes.ts';

interface Model {
  metadata: { targetPrefix: string; protocol: string; jsonVersion: string };
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, BotocoreShape>;
}

/** The newest model found (the one with the most operations), or why there is none. */
function newestModel(): { model: Model; path: string } | string {
  const newest = botocoreModels<Model>('ecr', '2015-09-21')[0];
  if (!newest) return 'no botocore ECR model installed (install the AWS CLI, or botocore for python3)';
  return { model: newest.model, path: newest.dir };
}

/** A model shape in our tables' vocabulary. */
function toSpec(model: Model, name: string): Spec {
  const shape = model.shapes[name]!;
  const limits = { ...(shape.min === undefined ? {} : { min: shape.min }), ...(shape.max === undefined ? {} : { max: shape.max }) };
  switch (shape.type) {
    case 'string':
      return { type: 'string', ...limits, ...(shape.pattern === undefined ? {} : { pattern: shape.pattern }), ...(shape.enum ? { enum: shape.enum } : {}) };
    case 'integer':
    case 'long':
      return { type: shape.type, ...limits };
    case 'boolean':
      return { type: 'boolean' };
    case 'blob':
      return { type: 'blob', ...limits };
    case 'list':
      return { type: 'list', member: toSpec(model, shape.member!.shape), ...limits };
    case 'structure': {
      const members = Object.fromEntries(Object.entries(shape.members ?? {}).map(([member, ref]) => [member, toSpec(model, ref.shape)]));
      return shape.required?.length ? { type: 'structure', members, required: shape.required } : { type: 'structure', members };
    }
    default:
      throw new Error(`shape ${name} has type ${shape.type}, which our tables cannot express`);
  }
}

const found = newestModel();

test('the botocore ECR model: protocol and target prefix', (t) => {
  if (typeof found === 'string') return t.skip(found);
  t.diagnostic(`model: ${found.path}`);
  assert.equal(found.model.metadata.protocol, 'json');
  assert.equal(found.model.metadata.jsonVersion, '1.1');
  assert.equal(found.model.metadata.targetPrefix, 'AmazonEC2ContainerRegistry_V20150921');
});

test('the botocore ECR model: our operation list', (t) => {
  if (typeof found === 'string') return t.skip(found);
  const theirs = Object.keys(found.model.operations).sort();
  const ours = [...ECR_OPERATION_NAMES].sort();
  assert.deepEqual(theirs.filter((name) => !ours.includes(name)), [], `operations in ${found.path} that our list lacks`);
  const older = ours.filter((name) => !theirs.includes(name));
  if (older.length > 0) return t.skip(`${found.path} is older than our list (it lacks ${older.length} operations: ${older.join(', ')})`);
  assert.deepEqual(ours, theirs);
});

test('the botocore ECR model: our input tables', (t) => {
  if (typeof found === 'string') return t.skip(found);
  const ours = Object.keys(ECR_INPUT_SHAPES);
  const missing = ours.filter((name) => !found.model.operations[name]);
  if (missing.length > 0 || ours.some((name) => !ECR_OPERATION_NAMES.includes(name))) assert.fail(`unknown operations in our tables: ${missing.join(', ')}`);
  if (ECR_OPERATION_NAMES.some((name) => !found.model.operations[name])) {
    return t.skip(`${found.path} is older than our tables; constraints differ between model versions`);
  }
  for (const name of ours) {
    const input: { shape: string } | undefined = found.model.operations[name]!.input;
    const theirs: Spec = input ? toSpec(found.model, input.shape) : { type: 'structure', members: {} };
    assert.deepEqual(ECR_INPUT_SHAPES[name], theirs, name);
  }
});
