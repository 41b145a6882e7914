// Runs a load generator as its own process (its own event loop and CPU accounting) and
// takes the one line of JSON it prints after `marker`.
import { spawn } from 'node:child_process';

export function runForJsonLine(command: string, args: readonly string[], marker: string, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(marker));
      if (code !== 0 || !line) reject(new Error(`${command} exited with ${code}:\n${out}\n${err}`));
      else resolve(JSON.parse(line.slice(marker.length)));
    });
  });
}
