// Worker thread that samples a server's RSS every few tens of milliseconds.
// It runs on its own event loop so sampling keeps its pace while the main
// thread is busy hashing or pushing bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { processTree, treeRssKiB } from './proc.ts';

export type MonitorRequest = { type: 'begin'; pid: number } | { type: 'end' } | { type: 'quit' };
export type MonitorReply =
  | { type: 'begun'; startKiB: number }
  | { type: 'ended'; startKiB: number; peakKiB: number; endKiB: number; samples: number };

const intervalMs: number = (workerData as { intervalMs?: number } | undefined)?.intervalMs ?? 50;
const port = parentPort!;

let root = 0;
let pids: number[] = [];
let startKiB = 0;
let peakKiB = 0;
let samples = 0;
let timer: NodeJS.Timeout | undefined;

function sample(): number {
  if (samples % 20 === 0) pids = processTree(root); // pick up forked children now and then
  const kib = treeRssKiB(pids);
  samples++;
  if (kib > peakKiB) peakKiB = kib;
  return kib;
}

port.on('message', (msg: MonitorRequest) => {
  if (msg.type === 'begin') {
    root = msg.pid;
    samples = 0;
    peakKiB = 0;
    startKiB = sample();
    clearInterval(timer);
    timer = setInterval(sample, intervalMs);
    port.postMessage({ type: 'begun', startKiB } satisfies MonitorReply);
  } else if (msg.type === 'end') {
    clearInterval(timer);
    timer = undefined;
    const endKiB = sample();
    port.postMessage({ type: 'ended', startKiB, peakKiB, endKiB, samples } satisfies MonitorReply);
  } else {
    clearInterval(timer);
    port.close();
  }
});
