// A stand-in registry that does no work, for bench/client-check.ts: it accepts
// uploads and throws the bytes away, and serves any blob GET as the same random
// 1 MiB block repeated (GET /base returns the block so the client can work out
// the digest). It prints {"port":N} when listening.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const block = randomBytes(1024 * 1024);
const blobSize = Number(process.argv[2] ?? 1024 * 1024 * 1024);

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/base') {
    res.writeHead(200, { 'content-length': String(block.length) });
    res.end(block);
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-length': String(blobSize), 'content-type': 'application/octet-stream' });
    let left = blobSize;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, block.length);
        left -= n;
        if (!res.write(n === block.length ? block : block.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
    return;
  }
  req.on('data', () => {});
  req.on('end', () => {
    const done = req.method === 'PUT' || (req.method === 'POST' && (req.url ?? '').includes('digest='));
    res.writeHead(done ? 201 : 202, { location: '/v2/null/blobs/uploads/u1', 'content-length': '0' });
    res.end();
  });
});

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
});
