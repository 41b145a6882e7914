// Tag lists and the catalog, both lexically sorted and paginated by (n, last).
import { RegistryError } from '../errors/registry-error.ts';
import type { RegistryContext } from './registry-context.ts';

export interface PageRequest {
  /** Page size the client asked for; undefined means "the default". */
  readonly n?: number;
  readonly last?: string;
}

export interface PageResult {
  readonly items: string[];
  /** True when more items follow the last one returned. */
  readonly more: boolean;
}

/** Largest page the server returns, whatever n asks for. */
export const MAX_PAGE = 10_000;

export class Listings {
  readonly #context: RegistryContext;

  constructor(context: RegistryContext) {
    this.#context = context;
  }

  async tags(repository: string, page: PageRequest): Promise<PageResult> {
    if (!(await this.#context.metadata.repositories.exists(repository))) {
      throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
    }
    return paginate(page, MAX_PAGE, (limit, after) => this.#context.metadata.tags.list(repository, { limit, ...(after ? { after } : {}) }));
  }

  async catalog(page: PageRequest): Promise<PageResult> {
    return paginate(page, 1000, (limit, after) => this.#context.metadata.repositories.list({ limit, ...(after ? { after } : {}) }));
  }
}

async function paginate(
  page: PageRequest,
  defaultSize: number,
  fetch: (limit: number, after: string | undefined) => Promise<string[]>,
): Promise<PageResult> {
  const size = Math.min(page.n ?? defaultSize, MAX_PAGE);
  if (size === 0) return { items: [], more: false };
  // Ask for one extra row to know whether another page exists.
  const rows = await fetch(size + 1, page.last);
  return { items: rows.slice(0, size), more: rows.length > size };
}
