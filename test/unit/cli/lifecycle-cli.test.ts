// `berth lifecycle <run|log>` arguments: the subcommand wherever it stands among the
// deployment options, each subcommand's own options, and one-line usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LifecycleUsageError, parseLifecycleArgs } from '../../../src/cli/lifecycle/lifecycle-args.ts';

test('run and log with their options, before or after the deployment options', () => {
  assert.deepEqual(parseLifecycleArgs(['run']), { help: false, dryRun: false, configFlags: {}, command: 'run' });
  assert.deepEqual(parseLifecycleArgs(['--data-dir', '/srv/berth', 'run', '--dry-run', '--repository=team/app']), {
    help: false,
    dryRun: true,
    configFlags: { dataDir: '/srv/berth' },
    command: 'run',
    repository: 'team/app',
  });
  assert.deepEqual(parseLifecycleArgs(['log', '--limit', '5', '--config', 'berth.yaml']), { help: false, dryRun: false, configFlags: {}, command: 'log', configFile: 'berth.yaml', limit: 5 });
  assert.deepEqual(parseLifecycleArgs(['--help']), { help: true, dryRun: false, configFlags: {} });
  assert.deepEqual(parseLifecycleArgs(['run', '-h']).help, true);
});

test('mistakes get one line naming them', () => {
  const cases: Array<[string[], RegExp]> = [
    [['nope'], /^unknown command "nope"$/],
    [['run', 'extra'], /^unexpected argument extra$/],
    [['log', '--dry-run'], /^log does not take --dry-run$/],
    [['run', '--limit', '3'], /^run does not take --limit$/],
    [['--repository', 'a'], /^berth lifecycle does not take --repository$/],
    [['run', '--repository'], /^--repository needs a value$/],
    [['log', '--limit', '0'], /^--limit must be a whole number from 1 to 999999, got "0"$/],
    [['run', '--color'], /^unexpected argument --color$/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseLifecycleArgs(argv), (error: unknown) => error instanceof LifecycleUsageError && message.test(error.message), argv.join(' '));
  }
});
