// The IAM model's response structures built from our records: User, AccessKey and
// AccessKeyMetadata, with members named and ordered as IAM answers them. Dates stay
// Dates; each front end writes them its own way (Query XML, or the AWS CLI's JSON).
import type { AccessKeyRecord, UserRecord } from '../storage/meta/identity-store.ts';

export type IamShape = { readonly [member: string]: string | Date };

export function userArn(user: Pick<UserRecord, 'accountId' | 'path' | 'userName'>): string {
  return `arn:aws:iam::${user.accountId}:user${user.path}${user.userName}`;
}

export function userShape(user: UserRecord): IamShape {
  return { Path: user.path, UserName: user.userName, UserId: user.userId, Arn: userArn(user), CreateDate: user.createdAt };
}

export function accessKeyMetadataShape(key: AccessKeyRecord): IamShape {
  return { UserName: key.userName, AccessKeyId: key.accessKeyId, Status: key.status, CreateDate: key.createdAt };
}

/** A new key with its secret: the only answer that ever carries it. */
export function newAccessKeyShape(key: AccessKeyRecord, secretAccessKey: string): IamShape {
  return { UserName: key.userName, AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: secretAccessKey, CreateDate: key.createdAt };
}
