// The filesystem BlobStore against the BlobStore contract, in a fresh temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store.ts';
import { describeBlobStore } from '../conformance/blob-store.suite.ts';

const roots = new WeakMap<FsBlobStore, string>();

describeBlobStore({
  name: 'fs',
  create: async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-fs-blob-store-'));
    const store = await FsBlobStore.open({ root });
    roots.set(store, root);
    return store;
  },
  destroy: async (store) => {
    await store.close();
    await rm(roots.get(store)!, { recursive: true, force: true });
  },
  skip: [],
});
