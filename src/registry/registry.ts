// The registry's use cases, built once over the ports.
import { Blobs } from './blobs.ts';
import { Listings } from './listings.ts';
import { Manifests } from './manifests.ts';
import type { RegistryContext } from './registry-context.ts';
import { Uploads } from './uploads.ts';

export interface Registry {
  readonly context: RegistryContext;
  readonly blobs: Blobs;
  readonly uploads: Uploads;
  readonly manifests: Manifests;
  readonly listings: Listings;
}

export function createRegistry(context: RegistryContext): Registry {
  return {
    context,
    blobs: new Blobs(context),
    uploads: new Uploads(context),
    manifests: new Manifests(context),
    listings: new Listings(context),
  };
}
