// `berth admin …`: finds the deployment as `berth serve` would (--config, --data-dir,
// BERTH_* variables), opens its identity store next to any running server (SQLite in
// WAL mode), runs one IAM use case and prints the AWS CLI's JSON for it. Exit status:
// 0 done, 1 refused by IAM's rules (the error code and message on stderr), 2 usage.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../config/config.ts';
import { IamError } from '../../iam/iam-errors.ts';
import { credentialsPath, openPreparedIdentities } from '../../server/app.ts';
import { AdminUsageError, checkOptions, parseAdminArgs } from './admin-args.ts';
import { findAdminCommand, type AdminCommand, type AdminOutput } from './admin-commands.ts';
import { ACCOUNT_OPTION, adminHelp, commandHelp } from './admin-help.ts';

export interface AdminIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof AdminUsageError) {
      const help = error.command !== undefined && findAdminCommand(error.command) ? `berth admin ${error.command} --help` : 'berth admin --help';
      io.stderr(`berth admin: ${error.message} (see ${help})\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`berth admin: configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function dispatch(argv: readonly string[], io: AdminIo): Promise<number> {
  const args = parseAdminArgs(argv);
  if (args.command === undefined) {
    if (args.help) {
      io.stdout(adminHelp());
      return 0;
    }
    io.stderr(adminHelp());
    return 2;
  }
  const command = findAdminCommand(args.command);
  if (!command) throw new AdminUsageError(`unknown command "${args.command}"`);
  if (args.help) {
    io.stdout(commandHelp(command));
    return 0;
  }
  checkOptions(command.name, [...command.options, ACCOUNT_OPTION], args.options);
  const config = loadConfig({ ...(args.configFile !== undefined ? { file: args.configFile } : {}), env: io.env, flags: args.configFlags, cwd: io.cwd });
  const accountId = args.options['--account-id'] ?? config.accountId;
  if (!/^\d{12}$/.test(accountId)) throw new AdminUsageError(`--account-id must be a 12-digit AWS account id, got "${accountId}"`, command.name);
  const { [ACCOUNT_OPTION.flag]: _account, ...options } = args.options;

  const prepared = await openPreparedIdentities(config);
  try {
    if (prepared.newCredentials) {
      io.stderr(`berth admin: this was the first use of ${config.dataDir}: created the administrator of account ${config.accountId}, credentials saved to ${credentialsPath(config)}\n`);
    }
    const stores = { identities: prepared.identities, serverKey: prepared.serverKey, now: () => new Date() };
    const output = await command.run({ stores, accountId, policyDocument: (argument) => policyDocument(argument, io.cwd, command) }, options);
    if (output !== undefined) io.stdout(formatOutput(output));
    return 0;
  } catch (error) {
    if (!(error instanceof IamError)) throw error;
    io.stderr(`berth admin: An error occurred (${error.code}) when calling the ${command.operation} operation: ${error.message}\n`);
    return 1;
  } finally {
    await prepared.close();
  }
}

/** Inline JSON, or the contents of file://PATH (relative to the working directory), as the AWS CLI takes it. */
async function policyDocument(argument: string, cwd: string, command: AdminCommand): Promise<string> {
  if (!argument.startsWith('file://')) return argument;
  const path = argument.slice('file://'.length);
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new AdminUsageError(`unable to load ${argument}: ${(error as Error).message}`, command.name);
  }
}

/** The AWS CLI's JSON output: four-space indents, dates as ISO 8601 to the second with +00:00. */
export function formatOutput(output: NonNullable<AdminOutput>): string {
  // The replacer sees a Date already turned into text; the holder still has the Date.
  const dates = function (this: Record<string, unknown>, key: string, value: unknown): unknown {
    const original = this[key];
    return original instanceof Date ? original.toISOString().replace(/(\.\d{3})?Z$/, '+00:00') : value;
  };
  return `${JSON.stringify(output, dates, 4)}\n`;
}
