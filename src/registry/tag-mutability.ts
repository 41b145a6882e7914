// ECR's tag immutability, pure: whether a repository's settings let a push move `tag`.
// IMMUTABLE_WITH_EXCLUSION keeps the matching tags mutable; MUTABLE_WITH_EXCLUSION
// makes the matching tags immutable. Filters are wildcards where `*` matches anything.
import { matchesStarPattern } from '../model/star-pattern.ts';
import type { RepositorySettings } from '../storage/meta/repository-settings.ts';

export function isTagImmutable(settings: RepositorySettings, tag: string): boolean {
  const matches = () => settings.imageTagMutabilityExclusionFilters.some((filter) => matchesStarPattern(filter.filter, tag));
  switch (settings.imageTagMutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !matches();
    case 'MUTABLE_WITH_EXCLUSION':
      return matches();
  }
}
