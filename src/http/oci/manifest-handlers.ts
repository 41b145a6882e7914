// GET/HEAD/PUT/DELETE on /v2/<name>/manifests/<reference>.
import { RegistryError } from '../../errors/registry-error.ts';
import { parseReference, type Reference } from '../../model/reference.ts';
import { acceptsManifest } from './accept.ts';
import { methodNotAllowed, readLimitedBody, sendEmpty, type Exchange } from './exchange.ts';

function requireReference(text: string): Reference {
  const reference = parseReference(text);
  if (reference) return reference;
  if (text.includes(':')) throw new RegistryError('DIGEST_INVALID', 'invalid digest in manifest reference', { reference: text });
  throw new RegistryError('TAG_INVALID', 'invalid tag: tags match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}', { tag: text });
}

export async function handleManifest(ex: Exchange, name: string, referenceText: string): Promise<void> {
  const { req, res, registry } = ex;
  // A tag that breaks the grammar can't name anything: reading or deleting it finds
  // nothing (404, as the conformance suite expects); only pushing it is a client error.
  if (req.method !== 'PUT' && !referenceText.includes(':') && parseReference(referenceText) === undefined) {
    throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { reference: referenceText });
  }
  const reference = requireReference(referenceText);
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      const manifest = await registry.manifests.get(name, reference);
      if (!acceptsManifest(req.headers.accept, manifest.mediaType)) {
        throw new RegistryError('MANIFEST_UNKNOWN', `manifest is ${manifest.mediaType}, which the Accept header does not allow`, {
          mediaType: manifest.mediaType,
        });
      }
      res.statusCode = 200;
      res.setHeader('Content-Type', manifest.mediaType);
      res.setHeader('Content-Length', manifest.size);
      res.setHeader('Docker-Content-Digest', manifest.digest);
      res.setHeader('ETag', `"${manifest.digest}"`);
      if (req.method === 'HEAD') res.end();
      // A pull once the manifest has left (the callback runs on 'finish'): one the client aborted is none.
      else res.end(manifest.content, () => registry.manifests.notePull(manifest, ex.callerArn));
      return;
    }
    case 'PUT': {
      const content = await readLimitedBody(req, registry.context.limits.maxManifestBytes);
      const pushed = await registry.manifests.put(name, reference, content, req.headers['content-type']);
      const headers: Record<string, string> = {
        Location: `/v2/${name}/manifests/${pushed.digest}`,
        'Docker-Content-Digest': pushed.digest,
      };
      if (pushed.subject) headers['OCI-Subject'] = pushed.subject;
      return sendEmpty(res, 201, headers);
    }
    case 'DELETE':
      await registry.manifests.delete(name, reference);
      return sendEmpty(res, 202, {});
    default:
      throw methodNotAllowed('GET, HEAD, PUT, DELETE');
  }
}
