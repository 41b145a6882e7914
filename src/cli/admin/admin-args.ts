// Splits `berth admin <command> [options]` into the command, the options it was given
// and the settings that find the deployment (--config, --data-dir, as for `berth serve`).
// Options are checked against the command's table: unknown, repeated-without-value or
// missing required ones are usage errors, named as the AWS CLI names them.

export class AdminUsageError extends Error {
  /** The command whose help the user should read, when known. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'AdminUsageError';
    this.command = command;
  }
}

export interface OptionSpec {
  /** e.g. `--user-name` */
  readonly flag: string;
  /** What help shows after the flag, e.g. `NAME`. */
  readonly value: string;
  readonly required?: boolean;
  readonly integer?: boolean;
  readonly help: string;
}

export interface AdminArgs {
  /** Undefined for a bare `berth admin` or `berth admin --help`. */
  readonly command?: string;
  readonly help: boolean;
  readonly configFile?: string;
  /** Config key path → value, as loadConfig takes flags. */
  readonly configFlags: Record<string, string>;
  /** Command option flag → value. */
  readonly options: Record<string, string>;
}

/** The options that find the deployment, accepted by every command. */
export const DEPLOYMENT_OPTIONS: readonly OptionSpec[] = [
  { flag: '--config', value: 'FILE', help: 'the YAML configuration `berth serve` uses (BERTH_CONFIG)' },
  { flag: '--data-dir', value: 'DIR', help: 'the data directory (BERTH_DATA_DIR, default ./data)' },
];

/** Splits argv (after `admin`); the options themselves are checked by checkOptions. */
export function parseAdminArgs(argv: readonly string[]): AdminArgs {
  let command: string | undefined;
  let configFile: string | undefined;
  let help = false;
  const configFlags: Record<string, string> = {};
  const options: Record<string, string> = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const inline = equals > 0 ? arg.slice(equals + 1) : undefined;
    if (name === '--help' || name === '-h') {
      help = true;
    } else if (name.startsWith('--')) {
      const value = inline ?? argv[++index];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new AdminUsageError(`${name} needs a value`, command);
      if (name === '--config') configFile = value;
      else if (name === '--data-dir') configFlags.dataDir = value;
      else options[name] = value;
    } else if (command === undefined && !name.startsWith('-')) {
      command = name;
    } else {
      throw new AdminUsageError(`unexpected argument ${arg}`, command);
    }
  }
  return { help, configFlags, options, ...(command !== undefined ? { command } : {}), ...(configFile !== undefined ? { configFile } : {}) };
}

/** Refuses options the command does not take and required ones it lacks. */
export function checkOptions(command: string, specs: readonly OptionSpec[], options: Readonly<Record<string, string>>): void {
  for (const flag of Object.keys(options)) {
    const spec = specs.find((candidate) => candidate.flag === flag);
    if (!spec) throw new AdminUsageError(`${command} does not take ${flag}`, command);
    if (spec.integer && !/^\d{1,9}$/.test(options[flag]!)) throw new AdminUsageError(`${flag} must be a whole number, got "${options[flag]}"`, command);
  }
  const missing = specs.filter((spec) => spec.required && !Object.hasOwn(options, spec.flag)).map((spec) => spec.flag);
  if (missing.length > 0) throw new AdminUsageError(`${command} needs ${missing.join(', ')}`, command);
}
