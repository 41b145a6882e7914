import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, parseCidr, parseIp } from '../../../../src/auth/policy/ip.ts';
import { parseDate, parseNumber } from '../../../../src/auth/policy/condition-operators.ts';

function inBlock(cidr: string, address: string): boolean {
  const block = parseCidr(cidr);
  const ip = parseIp(address);
  assert.ok(block, `block ${cidr}`);
  assert.ok(ip, `address ${address}`);
  return cidrContains(block, ip);
}

test('IPv4 blocks', () => {
  assert.equal(inBlock('192.0.2.0/24', '192.0.2.255'), true);
  assert.equal(inBlock('192.0.2.0/24', '192.0.3.0'), false);
  assert.equal(inBlock('0.0.0.0/0', '8.8.8.8'), true);
  assert.equal(inBlock('10.0.0.0/13', '10.7.255.255'), true);
  assert.equal(inBlock('10.0.0.0/13', '10.8.0.0'), false);
  assert.equal(inBlock('198.51.100.10', '198.51.100.10'), true);
  assert.equal(inBlock('198.51.100.10', '198.51.100.11'), false);
});

test('IPv6 blocks, compression, embedded IPv4 and mapped addresses', () => {
  assert.equal(inBlock('2001:db8::/32', '2001:0DB8:0:0:0:0:0:1'), true);
  assert.equal(inBlock('2001:db8::/32', '2001:db9::1'), false);
  assert.equal(inBlock('::/0', '::1'), true);
  assert.equal(inBlock('2001:db8:1234:5678::/64', '2001:db8:1234:5678:ffff:ffff:ffff:ffff'), true);
  assert.equal(inBlock('2001:db8:1234:5678::/64', '2001:db8:1234:5679::'), false);
  assert.equal(inBlock('64:ff9b::/96', '64:ff9b::192.0.2.33'), true);
  assert.equal(inBlock('10.0.0.0/8', '::ffff:10.1.2.3'), true, 'mapped IPv4 client');
  assert.equal(inBlock('::ffff:10.0.0.0/104', '10.1.2.3'), true, 'mapped IPv4 block');
  assert.equal(inBlock('10.0.0.0/8', '::a01:203'), false, 'IPv4-compatible is not mapped');
});

test('malformed addresses and blocks', () => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4/', 'a::b::c', '1:2:3:4:5:6:7:8:9', 'gggg::', '::1/129', '1.2.3.4/33', '10.0.0.0/-1']) {
    assert.equal(parseCidr(bad), null, bad);
  }
  assert.equal(parseIp('fe80::1%eth0'), null, 'zone ids are not accepted');
});

test('dates: ISO 8601 forms and epoch seconds', () => {
  const utc = Date.UTC(2030, 0, 1, 10, 0, 0);
  assert.equal(parseDate('2030-01-01T10:00:00Z'), utc);
  assert.equal(parseDate('2030-01-01T10:00:00'), utc, 'no zone means UTC');
  assert.equal(parseDate('2030-01-01T12:00:00+02:00'), utc);
  assert.equal(parseDate('2030-01-01T12:00:00+0200'), utc);
  assert.equal(parseDate('2030-01-01T10:00Z'), utc);
  assert.equal(parseDate('2030-01-01T10:00:00.000Z'), utc);
  assert.equal(parseDate('2030-01-01'), Date.UTC(2030, 0, 1));
  assert.equal(parseDate(String(utc / 1000)), utc);
  assert.equal(parseDate('Jan 1 2030'), null);
  assert.equal(parseDate('2030-13-45T99:00:00Z'), null);
});

test('numbers', () => {
  assert.equal(parseNumber('10'), 10);
  assert.equal(parseNumber('-1.5'), -1.5);
  assert.equal(parseNumber('1e3'), 1000);
  assert.equal(parseNumber(''), null);
  assert.equal(parseNumber('0x10'), null);
  assert.equal(parseNumber('ten'), null);
});
