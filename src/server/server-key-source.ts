// Loads the server key from where the configuration says (config.serverKey) and names
// that place for messages. The key itself is never part of a message or a log line.
import type { ServerKeySource } from '../config/config.ts';
import { loadOrCreateServerKey, readServerKeyFile } from '../auth/tokens/server-key.ts';

export async function loadServerKey(source: ServerKeySource): Promise<Buffer> {
  switch (source.kind) {
    case 'generated':
      return loadOrCreateServerKey(source.path);
    case 'file':
      return readServerKeyFile(source.path);
    case 'value':
      return source.key;
  }
}

/** Where the key came from, e.g. "from serverKeyFile /etc/berth/server.key". */
export function describeServerKeySource(source: ServerKeySource): string {
  switch (source.kind) {
    case 'generated':
      return `from ${source.path}, made at the first start in this data directory`;
    case 'file':
      return `from serverKeyFile ${source.path}`;
    case 'value':
      return `from ${source.source}`;
  }
}
