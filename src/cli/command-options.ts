// Options of the commands that run beside a server on its deployment (`berth gc`,
// `berth lifecycle`, `berth usage`): node:util's parseArgs reads them, and its errors
// become the command's usage error in one short line. Every such command takes
// --config and --data-dir as `berth serve` does, and -h/--help.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

const DEPLOYMENT_OPTIONS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export interface CommandOptions {
  /** The command's own options by name (without dashes): a string, or true for a flag given. */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  /** --config, for loadConfig's `file`. */
  readonly configFile?: string;
  /** --data-dir as loadConfig takes flags (config key path → value). */
  readonly configFlags: Record<string, string>;
  readonly help: boolean;
}

/**
 * Reads `argv` against `options` (plus the deployment options); `fail` makes the
 * command's own usage error from a message such as "--month needs a value".
 * Positionals are refused unless `allowPositionals`.
 */
export function readCommandOptions(
  argv: readonly string[],
  options: ParseArgsOptionsConfig,
  fail: (message: string) => Error,
  allowPositionals = false,
): CommandOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, ...DEPLOYMENT_OPTIONS }, strict: true, allowPositionals: true });
  } catch (error) {
    throw fail(shortMessage(error, argv));
  }
  if (!allowPositionals && parsed.positionals.length > 0) throw fail(`unexpected argument ${parsed.positionals[0]}`);
  const { config, 'data-dir': dataDir, help } = parsed.values as { config?: string; 'data-dir'?: string; help?: boolean };
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
    ...(config !== undefined ? { configFile: config } : {}),
    configFlags: dataDir !== undefined ? { dataDir } : {},
    help: help === true,
  };
}

/** parseArgs explains at length; a usage line wants "--x needs a value" or "unexpected argument --x". */
function shortMessage(error: unknown, argv: readonly string[]): string {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    // A boolean given a value (--dry-run=yes) names itself as given; a string option without one needs a value.
    const given = argv.find((arg) => arg.startsWith(`${option}=`));
    return given !== undefined && /does not take an argument/.test(message) ? `unexpected argument ${given}` : `${option} needs a value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `unexpected argument ${option}`;
  return message;
}
