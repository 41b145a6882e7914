import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { meterSentBytes } from '../../../src/usage/sent-bytes.ts';

const MiB = 1024 * 1024;

/** A server whose one response is written by `respond`; resolves the metered byte count when the response closes. */
async function serve(respond: (res: import('node:http').ServerResponse) => void): Promise<{ server: Server; url: string; sent: Promise<number> }> {
  let report!: (bytes: number) => void;
  const sent = new Promise<number>((resolve) => (report = resolve));
  const server = createServer((_req, res) => {
    meterSentBytes(res, report);
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, sent };
}

test('a whole response counts every body byte, from write and end, with or without callbacks and encodings', async (t) => {
  const { server, url, sent } = await serve((res) => {
    res.setHeader('Content-Length', 3 * MiB + 6);
    res.write(Buffer.alloc(MiB));
    res.write(Buffer.alloc(MiB), () => undefined);
    res.write('abc', 'utf8');
    res.write(Buffer.alloc(MiB), 'binary' as BufferEncoding, () => undefined);
    res.end('xyz');
  });
  t.after(() => server.close());
  const response = await fetch(url);
  assert.equal((await response.arrayBuffer()).byteLength, 3 * MiB + 6);
  assert.equal(await sent, 3 * MiB + 6);
});

test('end with only a callback, or with nothing, adds nothing', async (t) => {
  const { server, url, sent } = await serve((res) => {
    res.setHeader('Content-Length', 4);
    res.write('four');
    res.end(() => undefined);
  });
  t.after(() => server.close());
  assert.equal(await (await fetch(url)).text(), 'four');
  assert.equal(await sent, 4);
});

test('a download the client aborts counts what left, not what was queued', async (t) => {
  const total = 256 * MiB;
  const { server, url, sent } = await serve((res) => {
    res.setHeader('Content-Length', total);
    const chunk = Buffer.alloc(MiB);
    let written = 0;
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  t.after(() => server.close());
  let received = 0;
  await new Promise<void>((resolve) => {
    const req = request(url, (res) => {
      res.on('data', (data: Buffer) => {
        received += data.length;
        if (received >= 8 * MiB) req.destroy();
      });
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
  const counted = await sent;
  // A chunk counts once the socket has taken all of it: the one half sent when the client
  // stopped reading is missing, so the count may trail what arrived by up to one chunk.
  assert.ok(counted >= received - MiB, `counted ${counted} >= received ${received} less one 1 MiB chunk`);
  assert.ok(counted < total / 2, `counted ${counted}, far less than the ${total} the server would have sent`);
});
