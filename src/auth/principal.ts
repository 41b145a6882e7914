// Who made a request, once its signature or token has been verified.
export interface Principal {
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  /** The access key that signed the request (or that the registry token was issued for). */
  readonly accessKeyId: string;
}

/** The principal an access key of `user` stands for. */
export function principalOfKey(user: { accountId: string; userName: string; userId: string; path: string }, accessKeyId: string): Principal {
  return {
    accountId: user.accountId,
    userName: user.userName,
    userId: user.userId,
    arn: `arn:aws:iam::${user.accountId}:user${user.path}${user.userName}`,
    accessKeyId,
  };
}
