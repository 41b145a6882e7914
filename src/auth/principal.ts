// Who made a request, once its signature or token has been verified.
export interface Principal {
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  /** The access key that signed the request (or that the registry token was issued for). */
  readonly accessKeyId: string;
}
