import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IamError } from '../../../src/iam/iam-errors.ts';
import { ACCESS_KEY_STATUSES, EXISTING_USER_NAME, IamInput, MAX_ITEMS, PATH, PATH_PREFIX, POLICY_DOCUMENT, USER_NAME, parseIntegerParameter } from '../../../src/iam/iam-input.ts';

function refusal(fill: (input: IamInput) => void): string {
  const input = new IamInput();
  fill(input);
  try {
    input.check();
  } catch (error) {
    assert.ok(error instanceof IamError);
    assert.equal(error.code, 'ValidationError');
    assert.equal(error.status, 400);
    return error.message;
  }
  assert.fail('expected a ValidationError');
}

test('valid members pass and are returned', () => {
  const input = new IamInput();
  assert.equal(input.required('userName', 'ci-bot+deploy@example.com', USER_NAME), 'ci-bot+deploy@example.com');
  assert.equal(input.optional('path', '/division/team/', PATH), '/division/team/');
  assert.equal(input.optional('path', undefined, PATH), undefined);
  assert.equal(input.requiredEnum('status', 'Inactive', ACCESS_KEY_STATUSES), 'Inactive');
  assert.equal(input.optionalInteger('maxItems', 1000, MAX_ITEMS), 1000);
  input.check();
});

test('a missing required member is "Member must not be null"', () => {
  assert.equal(
    refusal((input) => input.required('userName', undefined, USER_NAME)),
    "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
  );
});

test('pattern and length violations are worded as IAM words them, all of them in one message', () => {
  assert.equal(
    refusal((input) => input.required('userName', 'a b', USER_NAME)),
    "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
  );
  const long = 'x'.repeat(65);
  assert.equal(
    refusal((input) => {
      input.required('userName', long, USER_NAME);
      input.optional('path', 'x', PATH);
    }),
    `2 validation errors detected: Value '${long}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64; ` +
      "Value 'x' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
  );
  assert.match(refusal((input) => input.required('userName', '', USER_NAME)), /^1 validation error detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1$/);
});

test('names of existing users may be up to 128 characters, new ones 64', () => {
  const input = new IamInput();
  input.required('userName', 'x'.repeat(128), EXISTING_USER_NAME);
  input.check();
  assert.match(refusal((i) => i.required('userName', 'x'.repeat(129), EXISTING_USER_NAME)), /less than or equal to 128/);
});

test('paths: "/" or slash-delimited printable ASCII; prefixes start with "/"', () => {
  for (const path of ['/', '/a/', '/a/b/', '/!~/']) new IamInput().optional('path', path, PATH);
  for (const path of ['//', '/a', 'a/', '/a b/', '/é/']) assert.match(refusal((i) => i.optional('path', path, PATH)), /at 'path'/, path);
  const ok = new IamInput();
  ok.optional('pathPrefix', '/a', PATH_PREFIX);
  ok.check();
  assert.match(refusal((i) => i.optional('pathPrefix', 'a/', PATH_PREFIX)), /at 'pathPrefix'/);
});

test('policy documents: Latin-1 text, tabs and newlines allowed', () => {
  const input = new IamInput();
  input.required('policyDocument', '{\n\t"Version": "2012-10-17"\r\n}', POLICY_DOCUMENT);
  input.check();
  assert.match(refusal((i) => i.required('policyDocument', '{"Sid":"\u2603"}', POLICY_DOCUMENT)), /at 'policyDocument'/);
});

test('enums and integer ranges', () => {
  assert.equal(
    refusal((input) => input.requiredEnum('status', 'Disabled', ACCESS_KEY_STATUSES)),
    "1 validation error detected: Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
  );
  assert.equal(
    refusal((input) => input.optionalInteger('maxItems', 0, MAX_ITEMS)),
    "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
  assert.match(refusal((input) => input.optionalInteger('maxItems', 1001, MAX_ITEMS)), /Member must have value less than or equal to 1000$/);
});

test('Query integer parameters: absent, whole numbers, anything else refused', () => {
  assert.equal(parseIntegerParameter('maxItems', undefined), undefined);
  assert.equal(parseIntegerParameter('maxItems', '25'), 25);
  assert.equal(parseIntegerParameter('maxItems', '-1'), -1);
  for (const text of ['', 'ten', '1.5', '1e3', '99999999999999999999']) {
    assert.throws(() => parseIntegerParameter('maxItems', text), (error: unknown) => error instanceof IamError && error.code === 'ValidationError' && error.message.includes(`Value '${text}' at 'maxItems'`), text);
  }
});
