import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isServedHost, registryAddressOfHost } from '../../../src/http/registry-host.ts';

const served = { accountId: '123456789012', region: 'eu-west-1' };

test('ECR-style host names name an account and region', () => {
  assert.deepEqual(registryAddressOfHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com'), served);
  assert.deepEqual(registryAddressOfHost('123456789012.dkr.ecr.eu-west-1.registry.example.com:5000'), served);
  assert.deepEqual(registryAddressOfHost('123456789012.dkr-fips.ecr.us-gov-west-1.amazonaws.com'), { accountId: '123456789012', region: 'us-gov-west-1' });
});

test('other host names name no registry and are always served', () => {
  for (const host of ['127.0.0.1:5000', 'localhost', 'registry.example.com', '12345.dkr.ecr.eu-west-1.x', undefined]) {
    assert.equal(registryAddressOfHost(host), undefined, String(host));
    assert.equal(isServedHost(host, served), true);
  }
});

test('a host naming another account or region is not served here', () => {
  assert.equal(isServedHost('123456789012.dkr.ecr.eu-west-1.example.com', served), true);
  assert.equal(isServedHost('210987654321.dkr.ecr.eu-west-1.example.com', served), false);
  assert.equal(isServedHost('123456789012.dkr.ecr.us-east-1.example.com', served), false);
});
