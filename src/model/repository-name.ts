// Repository names per the distribution spec: path components of lowercase
// alphanumerics joined by single separators, components joined by `/`.
// Validated before the name is used anywhere (SQL, logs, locations).

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_GRAMMAR = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** The spec allows a name of up to 255 characters including the registry host; ECR allows 256 for the name. */
export const MAX_REPOSITORY_NAME_LENGTH = 255;

export function isValidRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_REPOSITORY_NAME_LENGTH && NAME_GRAMMAR.test(name);
}
