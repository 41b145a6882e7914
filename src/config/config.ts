// The one typed, validated configuration. Sources, later ones winning:
// defaults < YAML file (--config / BERTH_CONFIG) < BERTH_* environment < flags.
// Every problem names the key it is about, with the source it came from.
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDurationSeconds } from './duration.ts';
import { isPostgresUrl, redactDatabaseUrl } from './database-url.ts';
import { decodeServerKey } from '../auth/tokens/server-key.ts';
import { DEFAULT_PRICES, parseTransferTiers, type Prices } from '../usage/prices.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type TlsConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'files'; readonly cert: string; readonly key: string }
  | { readonly mode: 'self-signed'; readonly dir: string };

/** Settings of the S3 blob store (storage.driver: s3); credentials come from the AWS SDK's default chain. */
export interface S3StorageConfig {
  readonly bucket: string;
  /** Key prefix for everything Berth writes: "" or ending in "/". */
  readonly prefix: string;
  /** Undefined: the SDK's default chain (AWS_REGION, shared config). */
  readonly region?: string;
  /** An S3-compatible endpoint (Ceph RGW, MinIO, …); AWS's own when undefined. */
  readonly endpoint?: string;
  /** Address the bucket in the path (https://host/bucket/key) rather than the host name. */
  readonly forcePathStyle: boolean;
  /** Answer blob GETs with a 307 to a presigned S3 URL instead of streaming through Berth. */
  readonly redirect: boolean;
}

export type StorageConfig =
  | { readonly driver: 'fs'; readonly root: string; readonly fsync: boolean }
  | { readonly driver: 's3'; readonly s3: S3StorageConfig };

/**
 * Where the server key comes from. Every node of a registry needs the same key: with one
 * data directory the generated file is shared anyway; nodes with their own data
 * directories name a file they all mount, or get the key itself (base64) from the
 * environment.
 */
export type ServerKeySource =
  /** <dataDir>/server.key, created at the first start. */
  | { readonly kind: 'generated'; readonly path: string }
  /** serverKeyFile: provided by the operator, never created. */
  | { readonly kind: 'file'; readonly path: string }
  /** serverKey (BERTH_SERVER_KEY): the key itself; `source` names where it was set, for messages. */
  | { readonly kind: 'value'; readonly key: Buffer; readonly source: string };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly tls: TlsConfig;
  readonly storage: StorageConfig;
  readonly database: DatabaseConfig;
  readonly serverKey: ServerKeySource;
  readonly uploads: { readonly purgeAfterSeconds: number; readonly purgeIntervalSeconds: number };
  /** Scheduled lifecycle policy runs: each repository's policy once per interval. */
  readonly lifecycle: { readonly enabled: boolean; readonly intervalSeconds: number };
  /** Online garbage collection of unreferenced blobs (docs/gc.md). */
  readonly gc: { readonly enabled: boolean; readonly intervalSeconds: number; readonly gracePeriodSeconds: number };
  readonly limits: { readonly maxManifestBytes: number; readonly maxBlobBytes: number; readonly maxHeaderBytes: number };
  readonly shutdownTimeoutSeconds: number;
  /** Processes serving the same port, data and database (1 = just this process). */
  readonly workers: number;
  /** The AWS account this registry is served for (12 digits), as in its ARNs and URLs. */
  readonly accountId: string;
  /** The AWS region the registry reports and SigV4 scopes name. */
  readonly region: string;
  /** `required`: /v2/ needs `AWS:<token>` credentials and authorizes every request. */
  readonly registryAuth: 'off' | 'required';
  /** Whether a push to a repository that does not exist creates it (ECR's create-on-push). */
  readonly createOnPush: boolean;
  /** Usage metering (docs/usage.md): how often counts are written, how often stored bytes are snapshotted, and the prices of `berth usage`. */
  readonly usage: { readonly flushIntervalSeconds: number; readonly snapshotIntervalSeconds: number; readonly prices: Prices };
  /** Prometheus metrics at /metrics. */
  readonly metrics: { readonly enabled: boolean };
}

/** SQLite in the data directory (one machine), or PostgreSQL (several nodes), chosen by database.url. */
export type DatabaseConfig =
  | { readonly driver: 'sqlite'; readonly path: string; readonly synchronous: 'FULL' | 'NORMAL' }
  | { readonly driver: 'postgres'; readonly url: string; readonly poolSize: number };

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A flat view of all settings, keyed by their path in the YAML file. */
type Settings = Map<string, { value: unknown; source: string }>;

/** Every key the file, environment and flags may set: path → environment variable. */
const KEYS: Record<string, string> = {
  host: 'BERTH_HOST',
  port: 'BERTH_PORT',
  dataDir: 'BERTH_DATA_DIR',
  logLevel: 'BERTH_LOG_LEVEL',
  'tls.cert': 'BERTH_TLS_CERT',
  'tls.key': 'BERTH_TLS_KEY',
  'tls.selfSigned': 'BERTH_TLS_SELF_SIGNED',
  'storage.driver': 'BERTH_STORAGE',
  'storage.root': 'BERTH_STORAGE_ROOT',
  'storage.fsync': 'BERTH_STORAGE_FSYNC',
  'storage.s3.bucket': 'BERTH_S3_BUCKET',
  'storage.s3.prefix': 'BERTH_S3_PREFIX',
  'storage.s3.region': 'BERTH_S3_REGION',
  'storage.s3.endpoint': 'BERTH_S3_ENDPOINT',
  'storage.s3.forcePathStyle': 'BERTH_S3_FORCE_PATH_STYLE',
  'storage.s3.redirect': 'BERTH_S3_REDIRECT',
  'database.driver': 'BERTH_DATABASE',
  'database.path': 'BERTH_DATABASE_PATH',
  'database.synchronous': 'BERTH_DATABASE_SYNCHRONOUS',
  'database.url': 'BERTH_DATABASE_URL',
  'database.poolSize': 'BERTH_DATABASE_POOL_SIZE',
  'uploads.purgeAfter': 'BERTH_UPLOADS_PURGE_AFTER',
  'uploads.purgeInterval': 'BERTH_UPLOADS_PURGE_INTERVAL',
  'lifecycle.enabled': 'BERTH_LIFECYCLE_ENABLED',
  'lifecycle.interval': 'BERTH_LIFECYCLE_INTERVAL',
  'gc.enabled': 'BERTH_GC_ENABLED',
  'gc.interval': 'BERTH_GC_INTERVAL',
  'gc.gracePeriod': 'BERTH_GC_GRACE_PERIOD',
  'limits.maxManifestBytes': 'BERTH_LIMITS_MAX_MANIFEST_BYTES',
  'limits.maxBlobBytes': 'BERTH_LIMITS_MAX_BLOB_BYTES',
  'limits.maxHeaderBytes': 'BERTH_LIMITS_MAX_HEADER_BYTES',
  shutdownTimeout: 'BERTH_SHUTDOWN_TIMEOUT',
  workers: 'BERTH_WORKERS',
  accountId: 'BERTH_ACCOUNT_ID',
  region: 'BERTH_REGION',
  registryAuth: 'BERTH_REGISTRY_AUTH',
  createOnPush: 'BERTH_CREATE_ON_PUSH',
  serverKey: 'BERTH_SERVER_KEY',
  serverKeyFile: 'BERTH_SERVER_KEY_FILE',
  'usage.flushInterval': 'BERTH_USAGE_FLUSH_INTERVAL',
  'usage.snapshotInterval': 'BERTH_USAGE_SNAPSHOT_INTERVAL',
  'usage.prices.storagePerGbMonth': 'BERTH_USAGE_PRICE_STORAGE',
  'usage.prices.transferOut': 'BERTH_USAGE_PRICE_TRANSFER_OUT',
  'metrics.enabled': 'BERTH_METRICS',
};

/** Command-line flags → key path. */
export const FLAGS: Record<string, string> = {
  '--host': 'host',
  '--port': 'port',
  '--data-dir': 'dataDir',
  '--log-level': 'logLevel',
  '--tls-cert': 'tls.cert',
  '--tls-key': 'tls.key',
  '--tls-self-signed': 'tls.selfSigned',
  '--workers': 'workers',
};

export const BOOLEAN_FLAGS = new Set(['--tls-self-signed']);

export interface ConfigSources {
  readonly file?: string;
  readonly env: Record<string, string | undefined>;
  /** Key path → raw value from flags. */
  readonly flags: Record<string, string | boolean>;
  readonly cwd: string;
}

export function loadConfig(sources: ConfigSources): Config {
  const settings: Settings = new Map();
  const file = sources.file ?? sources.env.BERTH_CONFIG;
  if (file) readFileSettings(resolve(sources.cwd, file), settings);
  for (const [key, variable] of Object.entries(KEYS)) {
    const value = sources.env[variable];
    if (value !== undefined && value !== '') settings.set(key, { value, source: `environment variable ${variable}` });
  }
  for (const [key, value] of Object.entries(sources.flags)) {
    const flag = Object.entries(FLAGS).find(([, path]) => path === key)?.[0] ?? key;
    settings.set(key, { value, source: `flag ${flag}` });
  }
  return build(settings, sources.cwd);
}

function readFileSettings(path: string, settings: Settings): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return;
  flatten(document, '', path, settings);
}

function flatten(value: unknown, prefix: string, file: string, settings: Settings): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file}: ${prefix || 'the document'} must be a mapping`);
  }
  for (const [name, child] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const isSection = Object.keys(KEYS).some((known) => known.startsWith(`${key}.`));
    if (isSection) {
      if (child !== null) flatten(child, key, file, settings); // a bare `tls:` is an empty section
    } else if (Object.hasOwn(KEYS, key)) settings.set(key, { value: child, source: `config file ${file}` });
    else throw new ConfigError(`${file}: unknown key "${key}"`);
  }
}

function build(settings: Settings, cwd: string): Config {
  const read = <T>(key: string, fallback: T, convert: (value: unknown) => T | undefined, expected: string): T => {
    const entry = settings.get(key);
    if (entry === undefined) return fallback;
    const converted = convert(entry.value);
    if (converted === undefined) {
      throw new ConfigError(`${key} (from ${entry.source}) must be ${expected}, got ${JSON.stringify(entry.value)}`);
    }
    return converted;
  };
  const dataDir = resolve(cwd, read('dataDir', './data', asString, 'a path'));
  const tlsCert = read<string | undefined>('tls.cert', undefined, asString, 'a file path');
  const tlsKey = read<string | undefined>('tls.key', undefined, asString, 'a file path');
  const selfSigned = read('tls.selfSigned', false, asBoolean, 'true or false');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new ConfigError('tls.cert and tls.key must be given together');
  if (selfSigned && tlsCert !== undefined) throw new ConfigError('tls.selfSigned cannot be combined with tls.cert/tls.key');
  const tls: TlsConfig =
    tlsCert !== undefined && tlsKey !== undefined
      ? { mode: 'files', cert: resolve(cwd, tlsCert), key: resolve(cwd, tlsKey) }
      : selfSigned
        ? { mode: 'self-signed', dir: join(dataDir, 'tls') }
        : { mode: 'off' };

  return {
    host: read('host', '127.0.0.1', asString, 'a host name or address'),
    port: read('port', 5000, asPort, 'a port number from 0 to 65535'),
    dataDir,
    logLevel: read('logLevel', 'info', asLogLevel, 'one of fatal, error, warn, info, debug, trace, silent'),
    tls,
    storage: buildStorage(settings, read, dataDir),
    database: readDatabase(settings, read, dataDir),
    serverKey: readServerKeySource(settings, dataDir, cwd),
    uploads: {
      purgeAfterSeconds: read('uploads.purgeAfter', 86400, parseDurationSeconds, 'a duration such as 24h'),
      purgeIntervalSeconds: read('uploads.purgeInterval', 3600, parseDurationSeconds, 'a duration such as 1h'),
    },
    lifecycle: {
      enabled: read('lifecycle.enabled', true, asBoolean, 'true or false'),
      intervalSeconds: read('lifecycle.interval', 86400, (value) => {
        const seconds = parseDurationSeconds(value);
        return seconds !== undefined && seconds >= 60 ? seconds : undefined;
      }, 'a duration of at least 1m such as 24h'),
    },
    gc: {
      enabled: read('gc.enabled', true, asBoolean, 'true or false'),
      intervalSeconds: read('gc.interval', 86400, (value) => {
        const seconds = parseDurationSeconds(value);
        return seconds !== undefined && seconds >= 1 ? seconds : undefined;
      }, 'a duration of at least 1s such as 24h'),
      gracePeriodSeconds: read('gc.gracePeriod', 86400, parseDurationSeconds, 'a duration such as 24h'),
    },
    limits: {
      maxManifestBytes: read('limits.maxManifestBytes', 4 * 1024 * 1024, asPositiveInteger, 'a positive number of bytes'),
      maxBlobBytes: read('limits.maxBlobBytes', 1024 ** 4, asPositiveInteger, 'a positive number of bytes'),
      maxHeaderBytes: read('limits.maxHeaderBytes', 16 * 1024, asPositiveInteger, 'a positive number of bytes'),
    },
    shutdownTimeoutSeconds: read('shutdownTimeout', 30, parseDurationSeconds, 'a duration such as 30s'),
    workers: read('workers', 1, (value) => {
      const count = asPositiveInteger(value);
      return count !== undefined && count <= 64 ? count : undefined;
    }, 'a number of processes from 1 to 64'),
    accountId: read('accountId', '123456789012', (value) => {
      const text = typeof value === 'number' ? String(value).padStart(12, '0') : value;
      return typeof text === 'string' && /^\d{12}$/.test(text) ? text : undefined;
    }, 'a 12-digit AWS account id'),
    registryAuth: read('registryAuth', 'required' as const, (value) => (value === 'off' || value === 'required' ? value : undefined), 'off or required'),
    createOnPush: read('createOnPush', true, asBoolean, 'true or false'),
    usage: {
      flushIntervalSeconds: read('usage.flushInterval', 10, (value) => positiveDuration(value, 0.1), 'a duration of at least 100ms such as 10s'),
      snapshotIntervalSeconds: read('usage.snapshotInterval', 3600, (value) => positiveDuration(value, 1), 'a duration of at least 1s such as 1h'),
      prices: {
        storagePerGbMonth: read('usage.prices.storagePerGbMonth', DEFAULT_PRICES.storagePerGbMonth, asPrice, 'a price such as 0.10'),
        transferOut: read('usage.prices.transferOut', DEFAULT_PRICES.transferOut, (value) => (typeof value === 'string' ? parseTransferTiers(value) : undefined), 'tiers such as "1:0,10240:0.09,*:0.05" (GB where each tier ends : price per GB, the last one *)'),
      },
    },
    metrics: { enabled: read('metrics.enabled', true, asBoolean, 'true or false') },
    region: read('region', 'us-east-1', (value) => (typeof value === 'string' && /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value) ? value : undefined), 'an AWS region name such as us-east-1'),
  };
}

type Read = <T>(key: string, fallback: T, convert: (value: unknown) => T | undefined, expected: string) => T;

/**
 * database.url (a postgres:// URL) selects PostgreSQL; without it the SQLite file in the
 * data directory is used. database.driver may say which, but must agree with the URL.
 * The URL's password never appears in an error.
 */
function readDatabase(settings: Settings, read: Read, dataDir: string): DatabaseConfig {
  const urlEntry = settings.get('database.url');
  if (urlEntry !== undefined && (typeof urlEntry.value !== 'string' || !isPostgresUrl(urlEntry.value))) {
    const shown = typeof urlEntry.value === 'string' ? JSON.stringify(redactDatabaseUrl(urlEntry.value)) : JSON.stringify(urlEntry.value);
    throw new ConfigError(`database.url (from ${urlEntry.source}) must be a PostgreSQL URL such as postgres://user:password@host:5432/berth, got ${shown}`);
  }
  const url = urlEntry?.value as string | undefined;
  const driver = read<'sqlite' | 'postgres' | undefined>(
    'database.driver',
    undefined,
    (value) => (value === 'sqlite' || value === 'postgres' ? value : undefined),
    '"sqlite" or "postgres"',
  );
  if (driver === 'postgres' && url === undefined) throw new ConfigError('database.driver postgres needs database.url (BERTH_DATABASE_URL)');
  if (driver === 'sqlite' && url !== undefined) {
    throw new ConfigError('database.url selects PostgreSQL, but database.driver says sqlite: remove one of them');
  }
  if (url !== undefined) {
    return {
      driver: 'postgres',
      url,
      poolSize: read('database.poolSize', 10, (value) => {
        const size = asPositiveInteger(value);
        return size !== undefined && size <= 1000 ? size : undefined;
      }, 'a number of connections from 1 to 1000'),
    };
  }
  return {
    driver: 'sqlite',
    path: resolve(dataDir, read('database.path', 'berth.db', asString, 'a path')),
    synchronous: read('database.synchronous', 'FULL' as const, (value) => (value === 'FULL' || value === 'NORMAL' ? value : undefined), 'FULL or NORMAL'),
  };
}

/**
 * serverKeyFile or serverKey, else the generated <dataDir>/server.key. The key given as
 * a value is checked here, but never shown: an error says what is wrong with it only.
 */
function readServerKeySource(settings: Settings, dataDir: string, cwd: string): ServerKeySource {
  const file = settings.get('serverKeyFile');
  const value = settings.get('serverKey');
  if (file !== undefined && value !== undefined) {
    throw new ConfigError(`serverKey (from ${value.source}) and serverKeyFile (from ${file.source}) both give the server key: set one of them`);
  }
  if (file !== undefined) {
    if (typeof file.value !== 'string' || file.value === '') throw new ConfigError(`serverKeyFile (from ${file.source}) must be a file path, got ${JSON.stringify(file.value)}`);
    return { kind: 'file', path: resolve(cwd, file.value) };
  }
  if (value !== undefined) {
    const key = typeof value.value === 'string' ? decodeServerKey(value.value) : undefined;
    if (key === undefined) {
      const length = typeof value.value === 'string' ? `${value.value.trim().length} characters` : `a ${typeof value.value}`;
      throw new ConfigError(
        `serverKey (from ${value.source}) must be 32 bytes in base64 (44 characters, e.g. from: head -c 32 /dev/urandom | base64), got ${length}`,
      );
    }
    return { kind: 'value', key, source: value.source };
  }
  return { kind: 'generated', path: join(dataDir, 'server.key') };
}

const FS_KEYS = ['storage.root', 'storage.fsync'];
const S3_KEYS = Object.keys(KEYS).filter((key) => key.startsWith('storage.s3.'));

function buildStorage(settings: Settings, read: Read, dataDir: string): StorageConfig {
  const driver = read('storage.driver', 'fs' as 'fs' | 's3', (value) => (value === 'fs' || value === 's3' ? value : undefined), '"fs" or "s3"');
  // Settings of the other driver would be silently ignored: say so instead.
  const foreign = (driver === 'fs' ? S3_KEYS : FS_KEYS).find((key) => settings.has(key));
  if (foreign) {
    throw new ConfigError(`${foreign} (from ${settings.get(foreign)!.source}) applies to the ${driver === 'fs' ? 's3' : 'fs'} storage driver, but storage.driver is ${driver}`);
  }
  if (driver === 'fs') {
    return {
      driver,
      root: resolve(dataDir, read('storage.root', 'blobs', asString, 'a path')),
      fsync: read('storage.fsync', true, asBoolean, 'true or false'),
    };
  }
  if (!settings.has('storage.s3.bucket')) throw new ConfigError('storage.s3.bucket is required when storage.driver is s3 (BERTH_S3_BUCKET)');
  const endpoint = read<string | undefined>('storage.s3.endpoint', undefined, asEndpoint, 'an http:// or https:// URL without a path');
  const region = read<string | undefined>('storage.s3.region', undefined, (value) => (typeof value === 'string' && /^[a-zA-Z0-9-]{1,64}$/.test(value) ? value : undefined), 'a region name such as us-east-1');
  return {
    driver,
    s3: {
      bucket: read('storage.s3.bucket', '', asBucketName, 'a bucket name (3 to 255 letters, digits, ".", "-" or "_")'),
      prefix: read('storage.s3.prefix', '', asKeyPrefix, 'a key prefix such as registry/ (no leading "/", no empty segments)'),
      ...(region === undefined ? {} : { region }),
      ...(endpoint === undefined ? {} : { endpoint }),
      // Stores other than AWS are rarely set up for bucket host names.
      forcePathStyle: read('storage.s3.forcePathStyle', endpoint !== undefined, asBoolean, 'true or false'),
      redirect: read('storage.s3.redirect', true, asBoolean, 'true or false'),
    },
  };
}

function asBucketName(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,253}[a-zA-Z0-9]$/.test(value) ? value : undefined;
}

/** "" stays ""; anything else is a key prefix ending in "/". */
function asKeyPrefix(value: unknown): string | undefined {
  if (value === '') return '';
  if (typeof value !== 'string' || value.startsWith('/') || value.length > 512) return undefined;
  const prefix = value.endsWith('/') ? value : `${value}/`;
  return prefix.slice(0, -1).split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..') ? prefix : undefined;
}

function asEndpoint(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) return undefined;
    return url.pathname === '/' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function positiveDuration(value: unknown, atLeast: number): number | undefined {
  const seconds = parseDurationSeconds(value);
  return seconds !== undefined && seconds >= atLeast ? seconds : undefined;
}

function asPrice(value: unknown): number | undefined {
  const price = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  return typeof price === 'number' && Number.isFinite(price) && price >= 0 ? price : undefined;
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1' || value === 'yes') return true;
  if (value === 'false' || value === '0' || value === 'no') return false;
  return undefined;
}

function asPort(value: unknown): number | undefined {
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}

function asPositiveInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

function asLogLevel(value: unknown): LogLevel | undefined {
  const levels: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  return typeof value === 'string' && levels.includes(value) ? (value as LogLevel) : undefined;
}
