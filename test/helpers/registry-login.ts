// What a new user does before pushing: take the administrator's access key from
// <data-dir>/credentials and ask the control plane for a registry password
// (GetAuthorizationToken, what `aws ecr get-login-password` prints), then log in as AWS.
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RegistryLogin {
  readonly username: string;
  readonly password: string;
  /** `Authorization` header value for the registry API. */
  readonly authorization: string;
}

/** The [default] profile of an AWS shared-credentials file. */
export async function readCredentialsFile(path: string): Promise<AccessKey> {
  const text = await readFile(path, 'utf8');
  const value = (name: string) => new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(text)?.[1];
  const accessKeyId = value('aws_access_key_id');
  const secretAccessKey = value('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) throw new Error(`no access key in ${path}`);
  return { accessKeyId, secretAccessKey };
}

export function administratorKey(dataDir: string): Promise<AccessKey> {
  return readCredentialsFile(join(dataDir, 'credentials'));
}

export function basicLogin(username: string, password: string): RegistryLogin {
  return { username, password, authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

export interface LoginOptions {
  readonly region?: string;
  /** PEM of the certificate (or its CA) an HTTPS endpoint presents, for a self-signed server. */
  readonly ca?: string | Buffer;
}

/** `aws ecr get-login-password` with the SDK: the login for `docker login -u AWS`. */
export async function loginWithKey(endpoint: string, key: AccessKey, options: LoginOptions = {}): Promise<RegistryLogin> {
  const client = new ECRClient({
    endpoint,
    region: options.region ?? 'us-east-1',
    credentials: key,
    maxAttempts: 1,
    ...(options.ca === undefined ? {} : { requestHandler: { httpsAgent: new Agent({ ca: options.ca }) } }),
  });
  try {
    const output = await client.send(new GetAuthorizationTokenCommand({}));
    const token = output.authorizationData?.[0]?.authorizationToken;
    if (!token) throw new Error('GetAuthorizationToken returned no token');
    const [username, password] = Buffer.from(token, 'base64').toString('utf8').split(/:(.*)/s) as [string, string];
    return basicLogin(username, password);
  } finally {
    client.destroy();
  }
}
