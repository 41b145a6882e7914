// ECR's create-on-push: a push into a repository that does not exist creates it,
// with the settings, resource tags, policy and lifecycle policy of the best CREATE_ON_PUSH creation
// template (or the defaults when none applies). With createOnPush off, such a push
// is NAME_UNKNOWN, as ECR answered before create-on-push existed. Every push entry
// point (upload start, monolithic upload, mount, manifest put) calls ensureForPush
// before it writes, so the repository exists with its settings (its immutability,
// its policy) before the first byte lands in it.
import { RegistryError } from '../errors/registry-error.ts';
import { templateKey, type CreationTemplateRecord } from '../storage/meta/creation-template-store.ts';
import { DEFAULT_REPOSITORY_SETTINGS } from '../storage/meta/repository-settings.ts';
import { bestTemplateFor, repositoryFromTemplate, type NewRepository } from './creation-templates.ts';
import type { RegistryContext } from './registry-context.ts';

const TEMPLATE_PAGE = 100;

export class RepositoryCreation {
  readonly #context: RegistryContext;

  constructor(context: RegistryContext) {
    this.#context = context;
  }

  /** Makes sure `name` exists for a push: creates it from its template, or refuses. */
  async ensureForPush(name: string): Promise<void> {
    const { metadata, accountId } = this.#context;
    if (await metadata.repositories.exists(name)) return;
    if (!this.#context.createOnPush) {
      throw new RegistryError(
        'NAME_UNKNOWN',
        `The repository with name '${name}' does not exist in the registry with id '${accountId}'; create it first (this registry does not create repositories on push)`,
        { name },
      );
    }
    const template = bestTemplateFor(name, await this.#templates(), 'CREATE_ON_PUSH');
    const repository: NewRepository = template ? repositoryFromTemplate(template) : { settings: DEFAULT_REPOSITORY_SETTINGS, tags: {} };
    // False means a concurrent push created it first, with the same template: fine.
    await metadata.repositories.create(name, repository.settings, repository.tags, this.#context.now(), repository.policy, repository.lifecyclePolicy);
  }

  async #templates(): Promise<CreationTemplateRecord[]> {
    const all: CreationTemplateRecord[] = [];
    for (let after: string | undefined; ; ) {
      const page = await this.#context.metadata.creationTemplates.list(this.#context.accountId, { limit: TEMPLATE_PAGE, ...(after === undefined ? {} : { after }) });
      all.push(...page);
      if (page.length < TEMPLATE_PAGE) return all;
      after = templateKey(page[page.length - 1]!.prefix);
    }
  }
}
