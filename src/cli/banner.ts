// What `berth serve` prints for people once it listens: where it is, how to log in
// and push, and — at the first start only — the administrator's credentials.
import { join } from 'node:path';
import type { NewCredentials } from '../auth/bootstrap.ts';
import type { Config } from '../config/config.ts';

export interface BannerOptions {
  /**
   * Whether this node's data directory holds the administrator's credentials file. Not
   * so on a node of several that did not start first on the shared database: the node
   * (or `berth admin`) that did has it.
   */
  readonly credentialsFileHere?: boolean;
}

export function bannerText(url: string, config: Config, credentials?: NewCredentials & { path: string }, options: BannerOptions = {}): string {
  const registry = new URL(url).host;
  const verified = config.tls.mode === 'files';
  const tls = (flag: string) => (verified ? '' : ` --${flag}=false`);
  const credentialsPath = credentials?.path ?? join(config.dataDir, 'credentials');
  const lines = ['', `Berth registry listening on ${url} (data in ${config.dataDir})`, ''];
  if (config.registryAuth === 'required') {
    const here = credentials !== undefined || (options.credentialsFileHere ?? true);
    lines.push(
      ...(here
        ? [`Log in first (the administrator's key is in ${credentialsPath}):`, `  export AWS_SHARED_CREDENTIALS_FILE=${credentialsPath}`]
        : [
            'Log in first with an access key of this registry. The administrator was created by the node (or `berth admin`)',
            'that first used this database; its key is in the credentials file of that data directory:',
            '  export AWS_SHARED_CREDENTIALS_FILE=<that data directory>/credentials',
          ]),
      `  aws ecr get-login-password --endpoint-url ${url} --region ${config.region} | skopeo login${tls('tls-verify')} --username AWS --password-stdin ${registry}`,
      `or, without the AWS CLI, with the access key id and secret as user name and password:`,
      `  skopeo login${tls('tls-verify')} --username <aws_access_key_id> ${registry}`,
      '',
    );
  }
  lines.push(
    'Push an image with skopeo, for example from an OCI layout directory or archive:',
    `  skopeo copy${tls('dest-tls-verify')} oci:./my-image docker://${registry}/team-a/my-app:1.0`,
    `  skopeo inspect${tls('tls-verify')} docker://${registry}/team-a/my-app:1.0`,
    config.registryAuth === 'required' ? 'or with podman / buildah (after `podman login` the same way):' : 'or with podman / buildah:',
    `  podman push${tls('tls-verify')} my-app:1.0 ${registry}/team-a/my-app:1.0`,
  );
  if (credentials) {
    // Shown once: only the file keeps them.
    lines.push(
      '',
      `Administrator credentials (account ${config.accountId}), shown once and saved to ${credentials.path}:`,
      `  aws_access_key_id     = ${credentials.accessKeyId}`,
      `  aws_secret_access_key = ${credentials.secretAccessKey}`,
      'Use them with the AWS CLI, for example:',
      `  AWS_SHARED_CREDENTIALS_FILE=${credentials.path} aws ecr describe-repositories --endpoint-url ${url} --region ${config.region}`,
    );
  }
  return lines.join('\n') + '\n\n';
}
