// POST/PATCH/PUT/GET/DELETE on /v2/<name>/blobs/uploads/…
import { isValidRepositoryName } from '../../model/repository-name.ts';
import { isUploadId, rangeHeader } from '../../registry/uploads.ts';
import type { IncomingChunk } from '../../registry/uploads.ts';
import { contentLength, contentRange, hasBody, methodNotAllowed, requireDigest, sendEmpty, type Exchange } from './exchange.ts';

function uploadLocation(name: string, id: string): string {
  return `/v2/${name}/blobs/uploads/${id}`;
}

function blobCreated(ex: Exchange, name: string, digest: string): void {
  sendEmpty(ex.res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
}

function incomingChunk(ex: Exchange): IncomingChunk {
  const range = contentRange(ex.req);
  const length = contentLength(ex.req);
  return { body: ex.req, signal: ex.signal, ...(range ? { range } : {}), ...(length !== undefined ? { length } : {}) };
}

export async function startUpload(ex: Exchange, name: string): Promise<void> {
  if (ex.req.method !== 'POST') throw methodNotAllowed('POST');
  const mount = ex.query.get('mount');
  if (mount !== null && ex.mayMount) {
    const from = ex.query.get('from');
    const digest = requireDigest(mount, 'mount');
    const source = from !== null && isValidRepositoryName(from) ? from : undefined;
    // A `from` that is not a valid name can't hold the blob; fall through to an upload.
    if (from === null || source !== undefined) {
      const size = await ex.registry.blobs.mount(name, digest, source);
      if (size !== undefined) return blobCreated(ex, name, digest.value);
    }
  }
  const digestParam = ex.query.get('digest');
  if (digestParam !== null) {
    const digest = requireDigest(digestParam);
    await ex.registry.uploads.putWhole(name, digest, incomingChunk(ex));
    return blobCreated(ex, name, digest.value);
  }
  const session = await ex.registry.uploads.start(name);
  sendEmpty(ex.res, 202, {
    Location: uploadLocation(name, session.id),
    Range: rangeHeader(0),
    'Docker-Upload-UUID': session.id,
  });
}

export async function handleUpload(ex: Exchange, name: string, id: string): Promise<void> {
  const uploads = ex.registry.uploads;
  // Set up front so error answers (a 416 for an out-of-order chunk) carry them too;
  // only for ids the registry could have made, so nothing odd is echoed back.
  if (isUploadId(id)) {
    ex.res.setHeader('Location', uploadLocation(name, id));
    ex.res.setHeader('Docker-Upload-UUID', id);
  }
  switch (ex.req.method) {
    case 'GET':
    case 'HEAD': {
      const session = await uploads.status(name, id);
      return sendEmpty(ex.res, 204, { Range: rangeHeader(session.offset) });
    }
    case 'PATCH': {
      const session = await uploads.append(name, id, incomingChunk(ex));
      return sendEmpty(ex.res, 202, { Range: rangeHeader(session.offset) });
    }
    case 'PUT': {
      const digest = requireDigest(ex.query.get('digest'));
      await uploads.complete(name, id, digest, hasBody(ex.req) ? incomingChunk(ex) : undefined);
      return blobCreated(ex, name, digest.value);
    }
    case 'DELETE':
      await uploads.cancel(name, id);
      ex.res.removeHeader('Location');
      return sendEmpty(ex.res, 204, {});
    default:
      throw methodNotAllowed('GET, HEAD, PATCH, PUT, DELETE');
  }
}
