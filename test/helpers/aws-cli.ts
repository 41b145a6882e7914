// The AWS CLI pointed at a Berth server, isolated from the machine's own AWS setup: the
// administrator's credentials file Berth wrote (or a user's keys), no config file, no
// instance metadata lookups, no pager, JSON output.
import { join } from 'node:path';
import type { BerthProcess } from './berth-process.ts';
import { run, type RunResult } from './clients/process.ts';
import type { AccessKey } from './registry-login.ts';

export interface AwsCliOptions {
  /** Sign with this access key instead of the administrator's. */
  readonly user?: AccessKey;
  /** More environment, e.g. AWS_DATA_PATH for a newer ECR model than the CLI's own. */
  readonly env?: Readonly<Record<string, string>>;
}

export function awsCli(berth: Pick<BerthProcess, 'url' | 'dataDir'>, args: readonly string[], options: AwsCliOptions = {}): Promise<RunResult> {
  const { user } = options;
  return run('aws', [...args, '--endpoint-url', berth.url, '--region', 'us-east-1', '--output', 'json'], {
    env: {
      ...process.env,
      AWS_SHARED_CREDENTIALS_FILE: user ? '/dev/null' : join(berth.dataDir, 'credentials'),
      // A path that does not exist: no profile, region or output setting leaks in.
      AWS_CONFIG_FILE: join(berth.dataDir, 'no-aws-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      ...(user ? { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey } : {}),
      ...options.env,
    },
  });
}
