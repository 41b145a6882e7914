// Which repository creation template applies when Berth creates a repository by
// itself, and what that repository gets from it — pure. ECR's rule: a template's
// prefix names a namespace and always ends in an assumed `/`, so `prod/team`
// applies to `prod/team/api` but neither to `prod/team` itself nor to
// `prod/teammate`; the longest such prefix wins; `ROOT` applies to every name no
// other template claims. Only templates made for the scenario take part.
import { templateKey, type CreationTemplateRecord, type TemplateScenario } from '../storage/meta/creation-template-store.ts';
import type { RepositorySettings } from '../storage/meta/repository-settings.ts';

export const ROOT_PREFIX = 'ROOT';

type Candidate = Pick<CreationTemplateRecord, 'prefix' | 'appliedFor'>;

/** Whether a (non-ROOT) template prefix covers the repository name. */
export function prefixCovers(prefix: string, name: string): boolean {
  return name.startsWith(`${templateKey(prefix)}/`);
}

export function bestTemplateFor<T extends Candidate>(name: string, templates: readonly T[], scenario: TemplateScenario): T | undefined {
  let best: T | undefined;
  let root: T | undefined;
  for (const template of templates) {
    if (!template.appliedFor.includes(scenario)) continue;
    if (template.prefix === ROOT_PREFIX) root = template;
    else if (prefixCovers(template.prefix, name) && (best === undefined || templateKey(template.prefix).length > templateKey(best.prefix).length)) {
      best = template;
    }
  }
  return best ?? root;
}

export interface NewRepository {
  readonly settings: RepositorySettings;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy?: string;
  readonly lifecyclePolicy?: string;
}

/**
 * The settings, resource tags, policy and lifecycle policy a repository created from
 * the template starts with. Templates carry no scanning setting, so scan-on-push
 * starts off.
 */
export function repositoryFromTemplate(template: CreationTemplateRecord): NewRepository {
  return {
    settings: {
      imageTagMutability: template.imageTagMutability,
      imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters,
      scanOnPush: false,
      encryption: template.encryption,
    },
    tags: template.resourceTags,
    ...(template.repositoryPolicy !== undefined ? { policy: template.repositoryPolicy } : {}),
    ...(template.lifecyclePolicy !== undefined ? { lifecyclePolicy: template.lifecyclePolicy } : {}),
  };
}
