import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminUsageError, checkOptions, parseAdminArgs, type OptionSpec } from '../../../src/cli/admin/admin-args.ts';
import { ADMIN_COMMANDS, findAdminCommand } from '../../../src/cli/admin/admin-commands.ts';

function usage(run: () => unknown, message: RegExp, command?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AdminUsageError, String(error));
    assert.match(error.message, message);
    assert.equal(error.command, command);
    return true;
  });
}

test('the command, its options, and the deployment settings, separate or inline', () => {
  assert.deepEqual(parseAdminArgs(['create-user', '--user-name', 'ci', '--path=/bots/', '--data-dir', '/srv/berth', '--config=berth.yaml']), {
    command: 'create-user',
    help: false,
    configFile: 'berth.yaml',
    configFlags: { dataDir: '/srv/berth' },
    options: { '--user-name': 'ci', '--path': '/bots/' },
  });
});

test('options may come before the command; an inline value keeps everything after the first "="', () => {
  assert.deepEqual(parseAdminArgs(['--data-dir', 'd', 'list-users', '--path-prefix=/a=b/']), {
    command: 'list-users',
    help: false,
    configFlags: { dataDir: 'd' },
    options: { '--path-prefix': '/a=b/' },
  });
  assert.deepEqual(parseAdminArgs(['put-user-policy', '--policy-document={"Version":"2012-10-17"}']).options, { '--policy-document': '{"Version":"2012-10-17"}' });
});

test('--help and -h, with or without a command', () => {
  assert.deepEqual(parseAdminArgs([]), { help: false, configFlags: {}, options: {} });
  assert.deepEqual(parseAdminArgs(['--help']), { help: true, configFlags: {}, options: {} });
  assert.equal(parseAdminArgs(['create-user', '-h']).help, true);
  assert.equal(parseAdminArgs(['create-user', '-h']).command, 'create-user');
});

test('an option without its value, and stray words, are usage errors', () => {
  usage(() => parseAdminArgs(['create-user', '--user-name']), /--user-name needs a value/, 'create-user');
  usage(() => parseAdminArgs(['create-user', '--user-name', '--path', '/']), /--user-name needs a value/, 'create-user');
  usage(() => parseAdminArgs(['create-user', 'extra']), /unexpected argument extra/, 'create-user');
  usage(() => parseAdminArgs(['-x']), /unexpected argument -x/);
});

const SPECS: readonly OptionSpec[] = [
  { flag: '--user-name', value: 'NAME', required: true, help: '' },
  { flag: '--max-items', value: 'N', integer: true, help: '' },
];

test('checkOptions: unknown and missing options, and whole numbers where they are wanted', () => {
  checkOptions('x', SPECS, { '--user-name': 'a', '--max-items': '10' });
  usage(() => checkOptions('x', SPECS, { '--user-name': 'a', '--bogus': '1' }), /x does not take --bogus/, 'x');
  usage(() => checkOptions('x', SPECS, {}), /x needs --user-name/, 'x');
  usage(() => checkOptions('x', SPECS, { '--user-name': 'a', '--max-items': 'ten' }), /--max-items must be a whole number/, 'x');
  usage(() => checkOptions('x', SPECS, { '--user-name': 'a', '--max-items': '-1' }), /--max-items must be a whole number/, 'x');
});

test('the command table: the AWS CLI\'s names for the IAM operations, each option named once', () => {
  assert.deepEqual(
    ADMIN_COMMANDS.map((command) => [command.name, command.operation]),
    [
      ['create-user', 'CreateUser'],
      ['get-user', 'GetUser'],
      ['list-users', 'ListUsers'],
      ['delete-user', 'DeleteUser'],
      ['create-access-key', 'CreateAccessKey'],
      ['list-access-keys', 'ListAccessKeys'],
      ['update-access-key', 'UpdateAccessKey'],
      ['delete-access-key', 'DeleteAccessKey'],
      ['put-user-policy', 'PutUserPolicy'],
      ['get-user-policy', 'GetUserPolicy'],
      ['list-user-policies', 'ListUserPolicies'],
      ['delete-user-policy', 'DeleteUserPolicy'],
    ],
  );
  for (const command of ADMIN_COMMANDS) {
    // kebab-case of the operation, as the AWS CLI names it
    assert.equal(command.name, command.operation.replace(/[A-Z]/g, (c, i: number) => `${i ? '-' : ''}${c.toLowerCase()}`));
    const flags = command.options.map((option) => option.flag);
    assert.equal(new Set(flags).size, flags.length, command.name);
  }
  assert.equal(findAdminCommand('create-user')?.operation, 'CreateUser');
  assert.equal(findAdminCommand('serve'), undefined);
});
