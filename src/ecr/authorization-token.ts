// GetAuthorizationToken: a registry token for the caller's access key, as the Basic
// password of the user "AWS" (base64("AWS:" + token)), valid 12 hours.
import { authorizationTokenFor } from '../auth/tokens/basic-auth.ts';
import { issueToken } from '../auth/tokens/registry-token.ts';
import type { EcrContext } from './ecr-context.ts';

export async function getAuthorizationToken(context: EcrContext): Promise<object> {
  const { token, claims } = issueToken(
    { accountId: context.principal.accountId, principalArn: context.principal.arn, accessKeyId: context.principal.accessKeyId },
    context.serverKey,
    context.now().getTime(),
  );
  return {
    authorizationData: [
      { authorizationToken: authorizationTokenFor(token), expiresAt: claims.expiresAt, proxyEndpoint: `${context.scheme}://${context.registryHost}` },
    ],
  };
}
