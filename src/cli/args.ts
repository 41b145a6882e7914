// Splits `berth <command> [flags]` into the command, config-file path and flag values.
import { BOOLEAN_FLAGS, ConfigError, FLAGS } from '../config/config.ts';

export interface ParsedArgs {
  readonly command: string;
  readonly configFile?: string;
  readonly flags: Record<string, string | boolean>;
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  let command = 'serve';
  let configFile: string | undefined;
  let help = false;
  const flags: Record<string, string | boolean> = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--help' || name === '-h') {
      help = true;
    } else if (name === '--config') {
      configFile = inline ?? argv[++index];
      if (configFile === undefined) throw new ConfigError('--config needs a file path');
    } else if (BOOLEAN_FLAGS.has(name) && Object.hasOwn(FLAGS, name)) {
      flags[FLAGS[name]!] = inline === undefined ? true : inline;
    } else if (Object.hasOwn(FLAGS, name)) {
      const value = inline ?? argv[++index];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new ConfigError(`${name} needs a value`);
      flags[FLAGS[name]!] = value;
    } else if (!name.startsWith('-') && index === 0) {
      command = name;
    } else {
      throw new ConfigError(`unknown argument ${arg} (see berth --help)`);
    }
  }
  return { command, flags, help, ...(configFile !== undefined ? { configFile } : {}) };
}
