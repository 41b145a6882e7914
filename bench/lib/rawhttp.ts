// A bare HTTP/1.1 GET over one TCP socket, for the big downloads.
//
// node:http allocates a Buffer and emits an event for every 64 KiB it reads; on
// this 2-core machine that made the client, not the server, the limit on pulls
// (about 1.7 CPU seconds per GiB with hashing, ~700 MB/s). Reading with `onread`
// into one reused 1 MiB buffer and hashing straight from it costs about 0.8 s
// per GiB. See bench/client-check.ts for the measurement.
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Body bytes handed to onBody (or collected, for non-2xx answers). */
  bodyBytes: number;
  /** Collected body for answers that are not 2xx, for error messages. */
  errorBody?: Buffer;
}

export interface RawGetOptions {
  host: string;
  port: number;
  path: string;
  headers?: Record<string, string>;
  readBufferBytes?: number;
  timeoutMs?: number;
}

const LF = 0x0a;

/** Sends GET with Connection: close and streams the body to onBody; onBody must not keep the chunk. */
export function rawGet(o: RawGetOptions, onBody: (chunk: Buffer) => void): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const readBuffer = Buffer.allocUnsafe(o.readBufferBytes ?? 1024 * 1024);
    let head: Buffer | undefined = Buffer.alloc(0);
    let status = 0;
    let headers: Record<string, string> = {};
    let bodyBytes = 0;
    let errorChunks: Buffer[] | undefined;
    let settled = false;

    // Body framing: fixed length, chunked, or until the server closes.
    let mode: 'length' | 'chunked' | 'eof' = 'eof';
    let remaining = 0;
    // Chunked decoder state.
    let chunkState: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
    let line = '';

    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      sock.destroy();
      if (err) reject(err);
      else {
        const res: RawResponse = { status, headers, bodyBytes };
        if (errorChunks) res.errorBody = Buffer.concat(errorChunks);
        resolve(res);
      }
    };

    const deliver = (chunk: Buffer) => {
      if (chunk.length === 0) return;
      bodyBytes += chunk.length;
      if (errorChunks) errorChunks.push(Buffer.from(chunk)); // copy: the read buffer is reused
      else onBody(chunk);
    };

    const onChunked = (data: Buffer) => {
      let i = 0;
      while (i < data.length) {
        if (chunkState === 'data') {
          const n = Math.min(remaining, data.length - i);
          deliver(data.subarray(i, i + n));
          i += n;
          remaining -= n;
          if (remaining === 0) {
            chunkState = 'data-end';
            line = '';
          }
          continue;
        }
        // 'size', 'data-end' and 'trailer' read CRLF-terminated lines
        const nl = data.indexOf(LF, i);
        const end = nl < 0 ? data.length : nl;
        line += data.toString('latin1', i, end);
        i = nl < 0 ? data.length : nl + 1;
        if (nl < 0) continue;
        const text = line.replace(/\r$/, '');
        line = '';
        if (chunkState === 'size') {
          const size = Number.parseInt(text.split(';')[0]!, 16);
          if (!Number.isFinite(size)) return finish(new Error(`bad chunk size line ${JSON.stringify(text)}`));
          if (size === 0) chunkState = 'trailer';
          else {
            remaining = size;
            chunkState = 'data';
          }
        } else if (chunkState === 'data-end') {
          chunkState = 'size';
        } else if (text === '') {
          return finish(); // end of trailers
        }
      }
    };

    const onBodyData = (data: Buffer) => {
      if (mode === 'chunked') onChunked(data);
      else if (mode === 'length') {
        const n = Math.min(remaining, data.length);
        deliver(data.subarray(0, n));
        remaining -= n;
        if (remaining === 0) finish();
      } else deliver(data);
    };

    const onHead = (data: Buffer) => {
      head = Buffer.concat([head!, data]); // copy: the read buffer is reused
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 64 * 1024) finish(new Error('response header too large'));
        return;
      }
      const lines = head.toString('latin1', 0, end).split('\r\n');
      const rest = head.subarray(end + 4);
      head = undefined;
      status = Number(lines[0]!.split(' ')[1]);
      headers = {};
      for (const l of lines.slice(1)) {
        const c = l.indexOf(':');
        if (c < 0) continue;
        const k = l.slice(0, c).trim().toLowerCase();
        const v = l.slice(c + 1).trim();
        headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
      }
      if (status < 200 || status >= 300) errorChunks = [];
      if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) mode = 'chunked';
      else if (headers['content-length'] !== undefined) {
        mode = 'length';
        remaining = Number(headers['content-length']);
        if (remaining === 0) return finish();
      }
      if (rest.length) onBodyData(rest);
    };

    const sock = net.connect({
      host: o.host,
      port: o.port,
      onread: {
        buffer: readBuffer,
        callback(n: number, buf: Uint8Array) {
          const data = Buffer.from(buf.buffer, buf.byteOffset, n);
          if (head) onHead(data);
          else onBodyData(data);
          return true;
        },
      },
    });
    sock.setNoDelay(true);
    sock.setTimeout(o.timeoutMs ?? 120_000, () => finish(new Error(`GET ${o.path}: no data for ${o.timeoutMs ?? 120_000} ms`)));
    sock.on('connect', () => {
      const lines = [`GET ${o.path} HTTP/1.1`, `Host: ${o.host}:${o.port}`, 'Connection: close'];
      for (const [k, v] of Object.entries(o.headers ?? {})) lines.push(`${k}: ${v}`);
      sock.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    sock.on('error', (err) => finish(err));
    sock.on('close', () => finish(new Error(`GET ${o.path}: connection closed early`)));
    sock.on('end', () => {
      if (head) return finish(new Error(`GET ${o.path}: connection closed before the response header`));
      if (mode === 'eof') return finish();
      finish(new Error(`GET ${o.path}: connection closed with ${mode === 'length' ? `${remaining} body bytes` : 'chunks'} still expected`));
    });
  });
}
