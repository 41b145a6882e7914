// Writes the administrator's first credentials where the AWS CLI and SDKs look when
// AWS_SHARED_CREDENTIALS_FILE points there: the shared-credentials format, mode 0600.
import { rename, writeFile } from 'node:fs/promises';
import type { NewCredentials } from '../auth/bootstrap.ts';

export async function writeCredentialsFile(path: string, credentials: NewCredentials): Promise<void> {
  const text = ['[default]', `aws_access_key_id = ${credentials.accessKeyId}`, `aws_secret_access_key = ${credentials.secretAccessKey}`, ''].join('\n');
  try {
    // 'wx': never overwrite a file in place.
    await writeFile(path, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A credentials file from an earlier database (its keys no longer exist): keep it aside.
    await rename(path, `${path}.${Date.now()}.old`);
    await writeFile(path, text, { mode: 0o600, flag: 'wx' });
  }
}
