// fetch() against a Berth server's registry API, logged in as its administrator.
import type { BerthProcess } from './berth-process.ts';

export async function adminFetch(server: Pick<BerthProcess, 'url' | 'login'>, path: string, init: RequestInit = {}): Promise<Response> {
  const { authorization } = await server.login();
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', authorization);
  return fetch(`${server.url}${path}`, { ...init, headers });
}
