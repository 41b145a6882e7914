// The errors IAM answers with: the code and HTTP status of the model's exception and
// IAM's own message wording. Thrown by the use cases, rendered by each front end (the
// Query protocol's ErrorResponse, or a line on stderr for `berth admin`).
export class IamError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'IamError';
    this.code = code;
    this.status = status;
  }
}

export function validationError(message: string): IamError {
  return new IamError('ValidationError', 400, message);
}

export function invalidInput(message: string): IamError {
  return new IamError('InvalidInput', 400, message);
}

export function noSuchUser(userName: string): IamError {
  return new IamError('NoSuchEntity', 404, `The user with name ${userName} cannot be found.`);
}

export function noSuchAccessKey(accessKeyId: string): IamError {
  return new IamError('NoSuchEntity', 404, `The Access Key with id ${accessKeyId} cannot be found.`);
}

export function noSuchUserPolicy(policyName: string): IamError {
  return new IamError('NoSuchEntity', 404, `The user policy with name ${policyName} cannot be found.`);
}

export function userAlreadyExists(userName: string): IamError {
  return new IamError('EntityAlreadyExists', 409, `User with name ${userName} already exists.`);
}

/** A user that still has access keys or inline policies cannot be deleted. */
export function deleteConflict(what: 'access keys' | 'policies'): IamError {
  return new IamError('DeleteConflict', 409, `Cannot delete entity, must delete ${what} first.`);
}

export function limitExceeded(message: string): IamError {
  return new IamError('LimitExceeded', 409, message);
}

export function malformedPolicyDocument(message: string): IamError {
  return new IamError('MalformedPolicyDocument', 400, message);
}
