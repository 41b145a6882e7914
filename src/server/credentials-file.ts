// Writes the administrator's first credentials where the AWS CLI and SDKs look when
// AWS_SHARED_CREDENTIALS_FILE points there: the shared-credentials format, mode 0600.
import { writeFile } from 'node:fs/promises';
import type { NewCredentials } from '../auth/bootstrap.ts';

export async function writeCredentialsFile(path: string, credentials: NewCredentials): Promise<void> {
  const text = ['[default]', `aws_access_key_id = ${credentials.accessKeyId}`, `aws_secret_access_key = ${credentials.secretAccessKey}`, ''].join('\n');
  // 'wx': never overwrite credentials someone may already be using.
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
}
