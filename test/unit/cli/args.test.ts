import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../../src/cli/args.ts';
import { ConfigError } from '../../../src/config/config.ts';

function refused(argv: string[], message: RegExp): void {
  assert.throws(
    () => parseArgs(argv),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
      assert.match(error.message, message);
      return true;
    },
    JSON.stringify(argv),
  );
}

test('no arguments: serve with no flags', () => {
  assert.deepEqual(parseArgs([]), { command: 'serve', flags: {}, help: false });
});

test('the first bare word is the command', () => {
  assert.deepEqual(parseArgs(['serve']), { command: 'serve', flags: {}, help: false });
  assert.deepEqual(parseArgs(['gc', '--port', '1']), { command: 'gc', flags: { port: '1' }, help: false });
});

test('flags map to key paths, with separate or inline values', () => {
  assert.deepEqual(
    parseArgs(['serve', '--host', '0.0.0.0', '--port=5001', '--data-dir', '/d', '--log-level=debug', '--tls-cert', 'c.pem', '--tls-key=k.pem']),
    {
      command: 'serve',
      flags: { host: '0.0.0.0', port: '5001', dataDir: '/d', logLevel: 'debug', 'tls.cert': 'c.pem', 'tls.key': 'k.pem' },
      help: false,
    },
  );
});

test('an inline value keeps everything after the first "="', () => {
  assert.deepEqual(parseArgs(['--data-dir=/a=b']).flags, { dataDir: '/a=b' });
  assert.deepEqual(parseArgs(['--host=']).flags, { host: '' });
});

test('a later flag wins', () => {
  assert.deepEqual(parseArgs(['--port', '1', '--port=2']).flags, { port: '2' });
});

test('boolean flags take no separate value', () => {
  assert.deepEqual(parseArgs(['--tls-self-signed']).flags, { 'tls.selfSigned': true });
  assert.deepEqual(parseArgs(['--tls-self-signed=false']).flags, { 'tls.selfSigned': 'false' });
  refused(['--tls-self-signed', 'true'], /unknown argument true/);
});

test('--config, separate or inline', () => {
  assert.deepEqual(parseArgs(['--config', 'berth.yaml']), { command: 'serve', configFile: 'berth.yaml', flags: {}, help: false });
  assert.deepEqual(parseArgs(['serve', '--config=/etc/berth.yaml']), { command: 'serve', configFile: '/etc/berth.yaml', flags: {}, help: false });
  refused(['--config'], /--config needs a file path/);
});

test('--help and -h', () => {
  assert.equal(parseArgs(['--help']).help, true);
  assert.equal(parseArgs(['-h']).help, true);
  assert.equal(parseArgs(['serve', '-h']).help, true);
  assert.equal(parseArgs(['serve']).help, false);
});

test('a flag without its value is refused', () => {
  refused(['--port'], /--port needs a value/);
  refused(['serve', '--host'], /--host needs a value/);
});

test('unknown flags and stray words are refused, naming them', () => {
  refused(['--prot', '1'], /unknown argument --prot/);
  refused(['--prot=1'], /unknown argument --prot=1/);
  refused(['-p', '1'], /unknown argument -p/);
  refused(['serve', 'extra'], /unknown argument extra/);
  refused(['--port', '1', 'serve'], /unknown argument serve/);
});

test('Object.prototype member names are not flags', () => {
  assert.equal(parseArgs(['constructor']).command, 'constructor');
  refused(['serve', '__proto__', 'x'], /unknown argument __proto__/);
});
