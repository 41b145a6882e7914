// An HTTP/1.1 client on a bare socket, for tests that must stop at an exact point of a
// request or a response: after the head, in the middle of a body, after the body but
// before the answer, or after the first bytes of the answer. fetch() and node:http
// can't hang up at those points on purpose.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
}

export class RawConnection {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #closed: Promise<void>;
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (data: Buffer) => {
      this.#received = Buffer.concat([this.#received, data]);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    // Resets are what these tests cause; they are not failures of the client.
    socket.on('error', () => undefined);
    this.#closed = new Promise((resolve) =>
      socket.once('close', () => {
        for (const wake of this.#waiters.splice(0)) wake();
        resolve();
      }),
    );
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Writes a request head; `headers` are sent as given (no Content-Length is added). */
  writeHead(method: string, path: string, headers: Record<string, string | number>): void {
    const lines = [`${method} ${path} HTTP/1.1`, 'Host: registry.test', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  }

  /** Writes raw bytes; resolves once the socket has taken them. */
  write(bytes: Buffer | string): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** Writes one chunk of a chunked body (an empty one ends the body). */
  writeChunk(bytes: Buffer): Promise<void> {
    return this.write(Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]));
  }

  /** Resolves once at least `count` bytes of the answer have arrived (or the socket closed). */
  async received(count: number): Promise<number> {
    while (this.#received.length < count && !this.socket.destroyed) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.#received.length;
  }

  /** The answer's status line and headers, once they arrived; undefined if the socket closed first. */
  async response(): Promise<RawResponse | undefined> {
    for (;;) {
      const end = this.#received.indexOf('\r\n\r\n');
      if (end !== -1) return parseHead(this.#received.subarray(0, end).toString('latin1'));
      if (this.socket.destroyed) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Hangs up at once (a reset when unread data is left), as a client killed mid-request does. */
  destroy(): Promise<void> {
    this.socket.resetAndDestroy();
    return this.#closed;
  }
}

function parseHead(text: string): RawResponse {
  const [statusLine, ...lines] = text.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers };
}
