import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type ConfigSources } from '../../../src/config/config.ts';
import { DEFAULT_PRICES } from '../../../src/usage/prices.ts';

const CWD = '/srv/berth';

function sources(overrides: Partial<ConfigSources> = {}): ConfigSources {
  return { env: {}, flags: {}, cwd: CWD, ...overrides };
}

function withFile(t: { after: (fn: () => void) => void }, yaml: string, name = 'berth.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

function configError(fn: () => unknown, message: RegExp | string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

test('defaults', () => {
  assert.deepEqual(loadConfig(sources()), {
    host: '127.0.0.1',
    port: 5000,
    dataDir: '/srv/berth/data',
    logLevel: 'info',
    tls: { mode: 'off' },
    storage: { driver: 'fs', root: '/srv/berth/data/blobs', fsync: true },
    database: { driver: 'sqlite', path: '/srv/berth/data/berth.db', synchronous: 'FULL' },
    serverKey: { kind: 'generated', path: '/srv/berth/data/server.key' },
    uploads: { purgeAfterSeconds: 86400, purgeIntervalSeconds: 3600 },
    lifecycle: { enabled: true, intervalSeconds: 86400 },
    gc: { enabled: true, intervalSeconds: 86400, gracePeriodSeconds: 86400 },
    limits: { maxManifestBytes: 4 * 1024 * 1024, maxBlobBytes: 1024 ** 4, maxHeaderBytes: 16 * 1024 },
    shutdownTimeoutSeconds: 30,
    workers: 1,
    accountId: '123456789012',
    region: 'us-east-1',
    registryAuth: 'required',
    createOnPush: true,
    usage: { flushIntervalSeconds: 10, snapshotIntervalSeconds: 3600, prices: DEFAULT_PRICES },
    metrics: { enabled: true },
  });
});

test('a YAML file sets every kind of value', (t) => {
  const file = withFile(
    t,
    [
      'host: 0.0.0.0',
      'port: 6000',
      'dataDir: /var/lib/berth',
      'logLevel: debug',
      'tls:',
      '  cert: certs/tls.crt',
      '  key: /etc/berth/tls.key',
      'storage:',
      '  driver: fs',
      '  root: /mnt/blobs',
      '  fsync: false',
      'database:',
      '  path: meta/berth.db',
      '  synchronous: NORMAL',
      'uploads:',
      '  purgeAfter: 12h',
      '  purgeInterval: 90',
      'lifecycle:',
      '  enabled: false',
      '  interval: 6h',
      'gc:',
      '  enabled: false',
      '  interval: 6h',
      '  gracePeriod: 0s',
      'limits:',
      '  maxManifestBytes: 1048576',
      '  maxBlobBytes: "2048"',
      '  maxHeaderBytes: 32768',
      'shutdownTimeout: 1m',
      'workers: 3',
      'accountId: "000011112222"',
      'region: eu-west-3',
      'registryAuth: off',
      'createOnPush: false',
      'serverKeyFile: secrets/server.key',
      'usage:',
      '  flushInterval: 2s',
      '  snapshotInterval: 30m',
      '  prices:',
      '    storagePerGbMonth: 0.05',
      '    transferOut: "100:0,*:0.08"',
      'metrics:',
      '  enabled: false',
      '',
    ].join('\n'),
  );
  assert.deepEqual(loadConfig(sources({ file })), {
    host: '0.0.0.0',
    port: 6000,
    dataDir: '/var/lib/berth',
    logLevel: 'debug',
    tls: { mode: 'files', cert: '/srv/berth/certs/tls.crt', key: '/etc/berth/tls.key' },
    storage: { driver: 'fs', root: '/mnt/blobs', fsync: false },
    database: { driver: 'sqlite', path: '/var/lib/berth/meta/berth.db', synchronous: 'NORMAL' },
    serverKey: { kind: 'file', path: '/srv/berth/secrets/server.key' },
    uploads: { purgeAfterSeconds: 43200, purgeIntervalSeconds: 90 },
    lifecycle: { enabled: false, intervalSeconds: 21600 },
    gc: { enabled: false, intervalSeconds: 21600, gracePeriodSeconds: 0 },
    limits: { maxManifestBytes: 1048576, maxBlobBytes: 2048, maxHeaderBytes: 32768 },
    shutdownTimeoutSeconds: 60,
    workers: 3,
    accountId: '000011112222',
    region: 'eu-west-3',
    registryAuth: 'off',
    createOnPush: false,
    usage: {
      flushIntervalSeconds: 2,
      snapshotIntervalSeconds: 1800,
      prices: { storagePerGbMonth: 0.05, transferOut: [{ upToGb: 100, pricePerGb: 0 }, { upToGb: Infinity, pricePerGb: 0.08 }] },
    },
    metrics: { enabled: false },
  });
});

test('the file path is resolved against cwd, and BERTH_CONFIG names it when --config does not', (t) => {
  const file = withFile(t, 'port: 7000\n');
  const dir = join(file, '..');
  assert.equal(loadConfig(sources({ file: 'berth.yaml', cwd: dir })).port, 7000);
  assert.equal(loadConfig(sources({ env: { BERTH_CONFIG: file } })).port, 7000);
  const other = withFile(t, 'port: 8000\n', 'other.yaml');
  assert.equal(loadConfig(sources({ file: other, env: { BERTH_CONFIG: file } })).port, 8000, '--config wins over BERTH_CONFIG');
});

test('an empty file or a file of comments is all defaults', (t) => {
  assert.deepEqual(loadConfig(sources({ file: withFile(t, '') })), loadConfig(sources()));
  assert.deepEqual(loadConfig(sources({ file: withFile(t, '# nothing here\n', 'c.yaml') })), loadConfig(sources()));
});

test('environment overrides the file; flags override the environment', (t) => {
  const file = withFile(t, 'port: 6000\nhost: file.example\nlogLevel: warn\n');
  const env = { BERTH_PORT: '7000', BERTH_HOST: 'env.example' };
  const fromEnv = loadConfig(sources({ file, env }));
  assert.equal(fromEnv.port, 7000);
  assert.equal(fromEnv.host, 'env.example');
  assert.equal(fromEnv.logLevel, 'warn', 'the file still applies where the environment is silent');
  const fromFlags = loadConfig(sources({ file, env, flags: { port: '8000' } }));
  assert.equal(fromFlags.port, 8000);
  assert.equal(fromFlags.host, 'env.example');
});

test('an empty environment variable is ignored', () => {
  assert.equal(loadConfig(sources({ env: { BERTH_PORT: '' } })).port, 5000);
});

test('every environment variable maps to its key', () => {
  const config = loadConfig(
    sources({
      env: {
        BERTH_HOST: '::',
        BERTH_PORT: '0',
        BERTH_DATA_DIR: 'state',
        BERTH_LOG_LEVEL: 'silent',
        BERTH_TLS_SELF_SIGNED: 'yes',
        BERTH_STORAGE: 'fs',
        BERTH_STORAGE_ROOT: 'b',
        BERTH_STORAGE_FSYNC: '0',
        BERTH_DATABASE: 'sqlite',
        BERTH_DATABASE_PATH: 'm.db',
        BERTH_DATABASE_SYNCHRONOUS: 'NORMAL',
        BERTH_UPLOADS_PURGE_AFTER: '2h',
        BERTH_UPLOADS_PURGE_INTERVAL: '5m',
        BERTH_LIFECYCLE_ENABLED: 'false',
        BERTH_LIFECYCLE_INTERVAL: '1h',
        BERTH_LIMITS_MAX_MANIFEST_BYTES: '100',
        BERTH_LIMITS_MAX_BLOB_BYTES: '200',
        BERTH_LIMITS_MAX_HEADER_BYTES: '300',
        BERTH_SHUTDOWN_TIMEOUT: '5s',
        BERTH_WORKERS: '2',
        BERTH_ACCOUNT_ID: '999988887777',
        BERTH_REGION: 'ap-southeast-2',
        BERTH_REGISTRY_AUTH: 'required',
        BERTH_CREATE_ON_PUSH: 'false',
        BERTH_SERVER_KEY_FILE: '/run/secrets/berth-key',
        BERTH_USAGE_FLUSH_INTERVAL: '500ms',
        BERTH_USAGE_SNAPSHOT_INTERVAL: '2h',
        BERTH_USAGE_PRICE_STORAGE: '0.2',
        BERTH_USAGE_PRICE_TRANSFER_OUT: '*:0.01',
        BERTH_METRICS: 'no',
      },
    }),
  );
  assert.deepEqual(config, {
    host: '::',
    port: 0,
    dataDir: '/srv/berth/state',
    logLevel: 'silent',
    tls: { mode: 'self-signed', dir: '/srv/berth/state/tls' },
    storage: { driver: 'fs', root: '/srv/berth/state/b', fsync: false },
    database: { driver: 'sqlite', path: '/srv/berth/state/m.db', synchronous: 'NORMAL' },
    serverKey: { kind: 'file', path: '/run/secrets/berth-key' },
    uploads: { purgeAfterSeconds: 7200, purgeIntervalSeconds: 300 },
    lifecycle: { enabled: false, intervalSeconds: 3600 },
    gc: { enabled: true, intervalSeconds: 86400, gracePeriodSeconds: 86400 },
    limits: { maxManifestBytes: 100, maxBlobBytes: 200, maxHeaderBytes: 300 },
    shutdownTimeoutSeconds: 5,
    workers: 2,
    accountId: '999988887777',
    region: 'ap-southeast-2',
    registryAuth: 'required',
    createOnPush: false,
    usage: { flushIntervalSeconds: 0.5, snapshotIntervalSeconds: 7200, prices: { storagePerGbMonth: 0.2, transferOut: [{ upToGb: Infinity, pricePerGb: 0.01 }] } },
    metrics: { enabled: false },
  });
});

test('lifecycle.interval is a duration of at least a minute', () => {
  configError(() => loadConfig(sources({ env: { BERTH_LIFECYCLE_INTERVAL: '30s' } })), /lifecycle.interval .* must be a duration of at least 1m/);
  configError(() => loadConfig(sources({ env: { BERTH_LIFECYCLE_INTERVAL: 'daily' } })), /lifecycle.interval/);
  assert.equal(loadConfig(sources({ env: { BERTH_LIFECYCLE_INTERVAL: '7d' } })).lifecycle.intervalSeconds, 7 * 86400);
});

test('flags: tls.selfSigned as a boolean or a string', () => {
  assert.deepEqual(loadConfig(sources({ flags: { 'tls.selfSigned': true } })).tls, { mode: 'self-signed', dir: '/srv/berth/data/tls' });
  assert.deepEqual(loadConfig(sources({ flags: { 'tls.selfSigned': 'false' } })).tls, { mode: 'off' });
});

test('an unknown key names the key path and the file', (t) => {
  const file = withFile(t, 'storage:\n  driver: fs\n  bogus: 1\n');
  configError(() => loadConfig(sources({ file })), `${file}: unknown key "storage.bogus"`);
  const top = withFile(t, 'prot: 5000\n', 'top.yaml');
  configError(() => loadConfig(sources({ file: top })), `${top}: unknown key "prot"`);
  const nested = withFile(t, 'tls:\n  cert:\n    path: x\n', 'nested.yaml');
  configError(() => loadConfig(sources({ file: nested })), /tls\.cert/);
});

test('keys that are Object.prototype members are unknown keys too', (t) => {
  for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
    const file = withFile(t, `${key}: 1\n`, `${key}.yaml`);
    configError(() => loadConfig(sources({ file })), `${file}: unknown key "${key}"`);
  }
});

test('a section that is not a mapping is refused, naming it', (t) => {
  const file = withFile(t, 'storage: fast\n');
  configError(() => loadConfig(sources({ file })), `${file}: storage must be a mapping`);
  const list = withFile(t, '- port\n', 'list.yaml');
  configError(() => loadConfig(sources({ file: list })), `${list}: the document must be a mapping`);
});

test('a missing file and invalid YAML are reported with the path', (t) => {
  configError(() => loadConfig(sources({ file: '/nonexistent/berth.yaml' })), /^cannot read config file \/nonexistent\/berth\.yaml/);
  const file = withFile(t, 'port: [unclosed\n');
  configError(() => loadConfig(sources({ file })), new RegExp(`^config file ${file} is not valid YAML`));
});

test('an invalid port names the key and the source it came from', (t) => {
  configError(
    () => loadConfig(sources({ env: { BERTH_PORT: 'abc' } })),
    'port (from environment variable BERTH_PORT) must be a port number from 0 to 65535, got "abc"',
  );
  configError(() => loadConfig(sources({ flags: { port: '65536' } })), 'port (from flag --port) must be a port number from 0 to 65535, got "65536"');
  const file = withFile(t, 'port: -1\n');
  configError(() => loadConfig(sources({ file })), `port (from config file ${file}) must be a port number from 0 to 65535, got -1`);
  const float = withFile(t, 'port: 80.5\n', 'float.yaml');
  configError(() => loadConfig(sources({ file: float })), /port \(from config file .*float\.yaml\) must be a port number/);
  configError(() => loadConfig(sources({ env: { BERTH_PORT: '80 ' } })), /port \(from environment variable BERTH_PORT\)/);
});

test('a flag overriding a bad environment value wins (only the winning source is validated)', () => {
  assert.equal(loadConfig(sources({ env: { BERTH_PORT: 'abc' }, flags: { port: '1' } })).port, 1);
});

test('other invalid values name their key and source', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ BERTH_LOG_LEVEL: 'verbose' }, /^logLevel \(from environment variable BERTH_LOG_LEVEL\) must be one of/],
    [{ BERTH_STORAGE: 'gcs' }, /^storage\.driver \(from environment variable BERTH_STORAGE\) must be "fs" or "s3", got "gcs"/],
    [{ BERTH_DATABASE: 'mysql' }, /^database\.driver \(from environment variable BERTH_DATABASE\) must be "sqlite" or "postgres"/],
    [{ BERTH_DATABASE_URL: 'postgres://berth@db/berth', BERTH_DATABASE_POOL_SIZE: '0' }, /^database\.poolSize .* must be a number of connections from 1 to 1000/],
    [{ BERTH_DATABASE_SYNCHRONOUS: 'full' }, /^database\.synchronous .* must be FULL or NORMAL/],
    [{ BERTH_STORAGE_FSYNC: 'maybe' }, /^storage\.fsync .* must be true or false/],
    [{ BERTH_UPLOADS_PURGE_AFTER: 'soon' }, /^uploads\.purgeAfter .* must be a duration/],
    [{ BERTH_GC_INTERVAL: '0s' }, /^gc\.interval \(from environment variable BERTH_GC_INTERVAL\) must be a duration of at least 1s/],
    [{ BERTH_GC_GRACE_PERIOD: 'soon' }, /^gc\.gracePeriod .* must be a duration/],
    [{ BERTH_GC_ENABLED: 'sometimes' }, /^gc\.enabled .* must be true or false/],
    [{ BERTH_LIMITS_MAX_MANIFEST_BYTES: '0' }, /^limits\.maxManifestBytes .* must be a positive number of bytes, got "0"/],
    [{ BERTH_LIMITS_MAX_BLOB_BYTES: '1.5' }, /^limits\.maxBlobBytes /],
    [{ BERTH_SHUTDOWN_TIMEOUT: '-5s' }, /^shutdownTimeout /],
    [{ BERTH_WORKERS: '0' }, /^workers /],
    [{ BERTH_WORKERS: '65' }, /^workers /],
    [{ BERTH_ACCOUNT_ID: '12345' }, /^accountId .* must be a 12-digit AWS account id/],
    [{ BERTH_REGION: 'Mars' }, /^region .* must be an AWS region name/],
    [{ BERTH_CREATE_ON_PUSH: 'sometimes' }, /^createOnPush \(from environment variable BERTH_CREATE_ON_PUSH\) must be true or false/],
  ];
  for (const [env, message] of cases) configError(() => loadConfig(sources({ env })), message);
});

test('tls.cert without tls.key (and the reverse) is refused', () => {
  configError(() => loadConfig(sources({ flags: { 'tls.cert': 'a.crt' } })), 'tls.cert and tls.key must be given together');
  configError(() => loadConfig(sources({ env: { BERTH_TLS_KEY: 'a.key' } })), 'tls.cert and tls.key must be given together');
});

test('tls files and a self-signed certificate cannot be combined', () => {
  configError(
    () => loadConfig(sources({ flags: { 'tls.cert': 'a.crt', 'tls.key': 'a.key', 'tls.selfSigned': true } })),
    /tls\.selfSigned cannot be combined/,
  );
});

test('database.url selects PostgreSQL, from the file or BERTH_DATABASE_URL; the SQLite keys then do not apply', (t) => {
  const url = 'postgres://berth:pa55word@db.internal:5432/berth?sslmode=require';
  assert.deepEqual(loadConfig(sources({ env: { BERTH_DATABASE_URL: url } })).database, { driver: 'postgres', url, poolSize: 10 });
  const file = withFile(t, ['database:', '  url: postgresql://berth@10.0.0.5/registry', '  poolSize: 25', '  path: ignored.db', ''].join('\n'));
  assert.deepEqual(loadConfig(sources({ file })).database, { driver: 'postgres', url: 'postgresql://berth@10.0.0.5/registry', poolSize: 25 });
  assert.deepEqual(loadConfig(sources({ env: { BERTH_DATABASE_URL: url, BERTH_DATABASE: 'postgres' } })).database.driver, 'postgres', 'the driver may be named too');
  assert.deepEqual(loadConfig(sources({ env: { BERTH_DATABASE: 'sqlite' } })).database.driver, 'sqlite');
});

test('database.url must be a PostgreSQL URL, and an error about it never shows its password', () => {
  for (const bad of ['mysql://root:hunter2@db/berth', 'db.internal:5432', 'postgres://root:hunter2@[bad']) {
    assert.throws(
      () => loadConfig(sources({ env: { BERTH_DATABASE_URL: bad } })),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^database\.url \(from environment variable BERTH_DATABASE_URL\) must be a PostgreSQL URL/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
      bad,
    );
  }
});

test('database.driver and database.url must agree', () => {
  configError(() => loadConfig(sources({ env: { BERTH_DATABASE: 'postgres' } })), 'database.driver postgres needs database.url (BERTH_DATABASE_URL)');
  configError(
    () => loadConfig(sources({ env: { BERTH_DATABASE: 'sqlite', BERTH_DATABASE_URL: 'postgres://berth:secret@db/berth' } })),
    /^database\.url selects PostgreSQL, but database\.driver says sqlite/,
  );
});

test('storage.driver s3 from a YAML file', (t) => {
  const file = withFile(
    t,
    [
      'storage:',
      '  driver: s3',
      '  s3:',
      '    bucket: registry-blobs',
      '    prefix: berth/prod',
      '    region: eu-central-1',
      '    endpoint: https://rgw.example:7480',
      '    forcePathStyle: false',
      '    redirect: false',
      '',
    ].join('\n'),
  );
  assert.deepEqual(loadConfig(sources({ file })).storage, {
    driver: 's3',
    s3: { bucket: 'registry-blobs', prefix: 'berth/prod/', region: 'eu-central-1', endpoint: 'https://rgw.example:7480', forcePathStyle: false, redirect: false },
  });
});

test('storage.driver s3 from the environment, with its defaults', () => {
  assert.deepEqual(loadConfig(sources({ env: { BERTH_STORAGE: 's3', BERTH_S3_BUCKET: 'blobs-1' } })).storage, {
    driver: 's3',
    s3: { bucket: 'blobs-1', prefix: '', forcePathStyle: false, redirect: true },
  });
  const env = {
    BERTH_STORAGE: 's3',
    BERTH_S3_BUCKET: 'blobs.2',
    BERTH_S3_PREFIX: 'x/',
    BERTH_S3_REGION: 'default',
    BERTH_S3_ENDPOINT: 'http://127.0.0.1:9000/',
    BERTH_S3_REDIRECT: 'false',
  };
  assert.deepEqual(loadConfig(sources({ env })).storage, {
    driver: 's3',
    s3: { bucket: 'blobs.2', prefix: 'x/', region: 'default', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, redirect: false },
  }, 'an endpoint means path-style addressing unless told otherwise');
  const storage = loadConfig(sources({ env: { ...env, BERTH_S3_FORCE_PATH_STYLE: 'false' } })).storage;
  assert.equal(storage.driver === 's3' && storage.s3.forcePathStyle, false);
});

test('s3 settings are refused when they cannot be used', (t) => {
  configError(() => loadConfig(sources({ env: { BERTH_STORAGE: 's3' } })), /^storage\.s3\.bucket is required when storage\.driver is s3/);
  const s3 = { BERTH_STORAGE: 's3', BERTH_S3_BUCKET: 'bucket' };
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ BERTH_S3_BUCKET: 'a' }, /^storage\.s3\.bucket \(from environment variable BERTH_S3_BUCKET\) must be a bucket name/],
    [{ BERTH_S3_BUCKET: 'has space' }, /^storage\.s3\.bucket /],
    [{ BERTH_S3_PREFIX: '/abs' }, /^storage\.s3\.prefix .* must be a key prefix/],
    [{ BERTH_S3_PREFIX: 'a//b' }, /^storage\.s3\.prefix /],
    [{ BERTH_S3_PREFIX: '../up' }, /^storage\.s3\.prefix /],
    [{ BERTH_S3_ENDPOINT: 'ftp://host' }, /^storage\.s3\.endpoint .* must be an http:\/\/ or https:\/\/ URL/],
    [{ BERTH_S3_ENDPOINT: 'http://host/path' }, /^storage\.s3\.endpoint /],
    [{ BERTH_S3_ENDPOINT: 'not a url' }, /^storage\.s3\.endpoint /],
    [{ BERTH_S3_REGION: 'us east' }, /^storage\.s3\.region /],
    [{ BERTH_S3_FORCE_PATH_STYLE: 'sometimes' }, /^storage\.s3\.forcePathStyle .* must be true or false/],
    [{ BERTH_S3_REDIRECT: 'maybe' }, /^storage\.s3\.redirect .* must be true or false/],
    [{ BERTH_STORAGE_ROOT: '/srv/blobs' }, /^storage\.root \(from environment variable BERTH_STORAGE_ROOT\) applies to the fs storage driver, but storage\.driver is s3/],
  ];
  for (const [env, message] of cases) configError(() => loadConfig(sources({ env: { ...s3, ...env } })), message);
  const file = withFile(t, 'storage:\n  s3:\n    bucket: forgotten-driver\n');
  configError(() => loadConfig(sources({ file })), new RegExp(`^storage\\.s3\\.bucket \\(from config file ${file}\\) applies to the s3 storage driver, but storage\\.driver is fs`));
  const unknown = withFile(t, 'storage:\n  driver: s3\n  s3:\n    bucket: b\n    acl: private\n', 'unknown.yaml');
  configError(() => loadConfig(sources({ file: unknown })), `${unknown}: unknown key "storage.s3.acl"`);
});

test('serverKey (BERTH_SERVER_KEY) gives the key in base64; a bad one is refused without showing it', (t) => {
  const key = Buffer.alloc(32, 7);
  for (const text of [key.toString('base64'), key.toString('base64url'), `  ${key.toString('base64')}\n`]) {
    const config = loadConfig(sources({ env: { BERTH_SERVER_KEY: text } }));
    assert.deepEqual(config.serverKey, { kind: 'value', key, source: 'environment variable BERTH_SERVER_KEY' });
  }
  const file = withFile(t, `serverKey: ${key.toString('base64')}\n`);
  assert.deepEqual(loadConfig(sources({ file })).serverKey, { kind: 'value', key, source: `config file ${file}` });

  const secretLooking = 'c2VjcmV0LXRoYXQtaXMtdG9vLXNob3J0';
  configError(
    () => loadConfig(sources({ env: { BERTH_SERVER_KEY: secretLooking } })),
    'serverKey (from environment variable BERTH_SERVER_KEY) must be 32 bytes in base64 (44 characters, e.g. from: head -c 32 /dev/urandom | base64), got 32 characters',
  );
  for (const bad of [Buffer.alloc(33).toString('base64'), `${key.toString('base64').slice(0, 43)}!`, key.toString('hex')]) {
    assert.throws(() => loadConfig(sources({ env: { BERTH_SERVER_KEY: bad } })), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message.includes(bad), false, 'the value is not shown');
      return true;
    });
  }
});

test('serverKeyFile is resolved against cwd; it and serverKey cannot both be set', () => {
  assert.deepEqual(loadConfig(sources({ env: { BERTH_SERVER_KEY_FILE: 'keys/server.key' } })).serverKey, { kind: 'file', path: '/srv/berth/keys/server.key' });
  configError(
    () => loadConfig(sources({ env: { BERTH_SERVER_KEY_FILE: '/k', BERTH_SERVER_KEY: Buffer.alloc(32).toString('base64') } })),
    'serverKey (from environment variable BERTH_SERVER_KEY) and serverKeyFile (from environment variable BERTH_SERVER_KEY_FILE) both give the server key: set one of them',
  );
});

test('usage and metrics settings: invalid values name the key', () => {
  configError(() => loadConfig(sources({ env: { BERTH_USAGE_FLUSH_INTERVAL: '10ms' } })), /usage\.flushInterval \(from environment variable BERTH_USAGE_FLUSH_INTERVAL\) must be a duration of at least 100ms/);
  configError(() => loadConfig(sources({ env: { BERTH_USAGE_PRICE_STORAGE: '-1' } })), /usage\.prices\.storagePerGbMonth .* must be a price/);
  configError(() => loadConfig(sources({ env: { BERTH_USAGE_PRICE_TRANSFER_OUT: '10:0.09' } })), /usage\.prices\.transferOut .* must be tiers/);
  configError(() => loadConfig(sources({ env: { BERTH_METRICS: 'maybe' } })), /metrics\.enabled .* must be true or false/);
});
