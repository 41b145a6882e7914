// What an ECR operation handler gets: the stores, who calls, and where the registry is.
import type { Principal } from '../auth/principal.ts';
import type { MetadataStore } from '../storage/meta/metadata-store.ts';
import type { Registry } from '../registry/registry.ts';

export interface EcrContext {
  readonly metadata: MetadataStore;
  /** The registry use cases, shared with the /v2/ handlers. */
  readonly registry: Registry;
  readonly principal: Principal;
  readonly accountId: string;
  readonly region: string;
  /** host[:port] clients use for the registry API (repositoryUri, proxyEndpoint). */
  readonly registryHost: string;
  /** http or https, as the client reached us. */
  readonly scheme: string;
  readonly serverKey: Buffer;
  readonly now: () => Date;
}

/** An ECR exception, answered as `{"__type": code, "message": message}`. */
export class EcrError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'EcrError';
    this.code = code;
  }
}

export type EcrHandler = (context: EcrContext, input: Record<string, unknown>) => Promise<object>;
