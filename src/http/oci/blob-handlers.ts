// GET/HEAD/DELETE on /v2/<name>/blobs/<digest>.
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../../errors/registry-error.ts';
import { parseRangeHeader } from './byte-range.ts';
import { sendRange } from './send-range.ts';
import { meterSentBytes } from '../../usage/sent-bytes.ts';
import { methodNotAllowed, requireDigest, sendEmpty, type Exchange } from './exchange.ts';

export async function handleBlob(ex: Exchange, name: string, digestText: string): Promise<void> {
  const digest = requireDigest(digestText);
  const { req, res } = ex;
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      const { size, inline } = await ex.registry.blobs.find(name, digest);
      const requested = parseRangeHeader(req.headers.range, size);
      // A store that serves clients itself gets the download (ranges included: the
      // client sends its Range there); HEAD, manifests fetched as blobs and ranges
      // that cannot be served are answered here.
      const location =
        req.method === 'GET' && !inline && requested.kind !== 'unsatisfiable' ? await ex.registry.blobs.redirectUrl(digest) : undefined;
      if (location) {
        // The download happens between the client and the object store, out of sight:
        // metered as the bytes the redirect hands over (docs/usage.md).
        ex.registry.context.usage?.sent(name, requested.kind === 'range' ? requested.range.end - requested.range.start + 1 : size);
        res.statusCode = 307;
        res.setHeader('Location', location);
        res.setHeader('Docker-Content-Digest', digest.value);
        res.setHeader('Content-Length', 0);
        res.end();
        return;
      }
      res.setHeader('Docker-Content-Digest', digest.value);
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('ETag', `"${digest.value}"`);
      res.setHeader('Cache-Control', 'max-age=31536000');
      if (requested.kind === 'unsatisfiable') {
        throw new RegistryError('RANGE_NOT_SATISFIABLE', 'requested range not satisfiable', { size }, { 'Content-Range': `bytes */${size}` });
      }
      res.setHeader('Content-Type', 'application/octet-stream');
      if (requested.kind === 'range') {
        const { start, end } = requested.range;
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
        res.setHeader('Content-Length', end - start + 1);
      } else {
        res.statusCode = 200;
        res.setHeader('Content-Length', size);
      }
      if (req.method === 'HEAD' || size === 0) {
        res.end();
        return;
      }
      const usage = ex.registry.context.usage;
      if (usage) meterSentBytes(res, (bytes) => usage.sent(name, bytes));
      if (inline) {
        res.end(requested.kind === 'range' ? inline.subarray(requested.range.start, requested.range.end + 1) : inline);
        return;
      }
      const range = requested.kind === 'range' ? requested.range : { start: 0, end: size - 1 };
      const randomAccess = await ex.registry.blobs.openRandomAccess(name, digest);
      if (randomAccess) return sendRange(randomAccess, range, res, ex.signal);
      await pipeline(await ex.registry.blobs.open(name, digest, range), res);
      return;
    }
    case 'DELETE':
      await ex.registry.blobs.delete(name, digest);
      return sendEmpty(res, 202, {});
    default:
      throw methodNotAllowed('GET, HEAD, DELETE');
  }
}
