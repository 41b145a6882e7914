// The help texts of `berth admin`, made from the command table.
import { DEPLOYMENT_OPTIONS, type OptionSpec } from './admin-args.ts';
import { ADMIN_COMMANDS, type AdminCommand } from './admin-commands.ts';

/** Accepted by every command besides the deployment options. */
export const ACCOUNT_OPTION: OptionSpec = { flag: '--account-id', value: 'ID', help: 'the 12-digit AWS account to act in (default: the configured accountId)' };

const COMMON: readonly OptionSpec[] = [ACCOUNT_OPTION, ...DEPLOYMENT_OPTIONS, { flag: '-h, --help', value: '', help: 'show this help' }];

function optionLines(options: readonly OptionSpec[]): string[] {
  const left = options.map((option) => (option.value ? `${option.flag} ${option.value}` : option.flag));
  const width = Math.max(...left.map((text) => text.length)) + 2;
  return options.map((option, index) => `  ${left[index]!.padEnd(width)}${option.help}${option.required ? ' (required)' : ''}`);
}

export function adminHelp(): string {
  const width = Math.max(...ADMIN_COMMANDS.map((command) => command.name.length)) + 2;
  return [
    'Usage: berth admin <command> [options]',
    '',
    'Manages IAM users, their access keys and inline policies in the data directory itself,',
    'whether the server runs or not: for people without the AWS CLI, and for users in other',
    'accounts (--account-id). Each command prints the JSON the AWS CLI prints for the same',
    '`aws iam` call; errors go to stderr with IAM\'s error code, and the exit status is 1',
    '(2 for a usage mistake).',
    '',
    'Commands:',
    ...ADMIN_COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    'Options of every command (settings as for `berth serve`: flags, BERTH_* variables, config file):',
    ...optionLines(COMMON),
    '',
    'Run `berth admin <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export function commandHelp(command: AdminCommand): string {
  const usage = command.options.map((option) => (option.required ? `${option.flag} ${option.value}` : `[${option.flag} ${option.value}]`));
  return [
    `Usage: berth admin ${command.name} ${usage.join(' ')}`.trimEnd(),
    '',
    `${command.summary}: IAM ${command.operation}, as \`aws iam ${command.name}\` calls it.`,
    '',
    ...(command.options.length > 0 ? ['Options:', ...optionLines(command.options), ''] : []),
    'Options of every command:',
    ...optionLines(COMMON),
    '',
  ].join('\n');
}
