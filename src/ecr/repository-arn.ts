// ECR repository ARNs: arn:<partition>:ecr:<region>:<account>:repository/<name>.
const REPOSITORY_ARN = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

export interface RepositoryArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
}

export function repositoryArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ecr:${region}:${accountId}:repository/${name}`;
}

export function parseRepositoryArn(arn: string): RepositoryArnParts | undefined {
  const match = REPOSITORY_ARN.exec(arn);
  return match ? { region: match[1]!, accountId: match[2]!, name: match[3]! } : undefined;
}
