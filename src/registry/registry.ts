// The registry's use cases, built once over the ports.
import { Blobs } from './blobs.ts';
import { Listings } from './listings.ts';
import { Manifests } from './manifests.ts';
import { PullTimeExclusions } from './pull-time-exclusions.ts';
import type { RegistryContext } from './registry-context.ts';
import { RepositoryCreation } from './repository-creation.ts';
import { Uploads } from './uploads.ts';

export interface Registry {
  readonly context: RegistryContext;
  readonly blobs: Blobs;
  readonly uploads: Uploads;
  readonly manifests: Manifests;
  readonly listings: Listings;
  /** The served account's pull time update exclusions, kept in memory for the pull path. */
  readonly pullTimeExclusions: PullTimeExclusions;
}

export function createRegistry(context: RegistryContext): Registry {
  const creation = new RepositoryCreation(context);
  const pullTimeExclusions = new PullTimeExclusions(context.metadata.pullTimeExclusions, context.accountId);
  return {
    context,
    blobs: new Blobs(context, creation),
    uploads: new Uploads(context, creation),
    manifests: new Manifests(context, creation, pullTimeExclusions),
    listings: new Listings(context),
    pullTimeExclusions,
  };
}
