import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bannerText } from '../../../src/cli/banner.ts';
import { loadConfig } from '../../../src/config/config.ts';

const config = (env: Record<string, string> = {}) => loadConfig({ flags: {}, cwd: '/', env: { BERTH_DATA_DIR: '/srv/berth', ...env } });

test('with auth on (the default) the banner shows how to log in before pushing', () => {
  const text = bannerText('http://127.0.0.1:5000', config());
  const login = text.indexOf('aws ecr get-login-password --endpoint-url http://127.0.0.1:5000 --region us-east-1 | skopeo login --tls-verify=false --username AWS --password-stdin 127.0.0.1:5000');
  assert.ok(login > 0, text);
  assert.ok(login < text.indexOf('skopeo copy --dest-tls-verify=false oci:./my-image docker://127.0.0.1:5000/team-a/my-app:1.0'), text);
  assert.match(text, /AWS_SHARED_CREDENTIALS_FILE=\/srv\/berth\/credentials/);
  assert.doesNotMatch(text, /aws_secret_access_key/, 'credentials are printed at the first start only');
});

test('the first start prints the administrator key once; auth off skips the login lines', () => {
  const first = bannerText('http://127.0.0.1:5000', config(), { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3cr3t', path: '/srv/berth/credentials' } as never);
  assert.match(first, /aws_access_key_id {5}= AKIAEXAMPLE/);
  assert.match(first, /aws_secret_access_key = s3cr3t/);
  const open = bannerText('http://127.0.0.1:5000', config({ BERTH_REGISTRY_AUTH: 'off' }));
  assert.doesNotMatch(open, /get-login-password|skopeo login/);
});

test('a node whose data directory has no credentials file says where the administrator key is instead', () => {
  const text = bannerText('http://127.0.0.1:5000', config(), undefined, { credentialsFileHere: false });
  assert.match(text, /The administrator was created by the node \(or `berth admin`\)\nthat first used this database; its key is in the credentials file of that data directory:/);
  assert.match(text, /export AWS_SHARED_CREDENTIALS_FILE=<that data directory>\/credentials/);
  assert.doesNotMatch(text, /\/srv\/berth\/credentials/, 'no file that is not there');
  const created = bannerText('http://127.0.0.1:5000', config(), { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3cr3t', path: '/srv/berth/credentials' }, { credentialsFileHere: false });
  assert.match(created, /the administrator's key is in \/srv\/berth\/credentials/, 'the node that made it just wrote it');
});
