// Resource usage of a server during one measured operation: peak RSS sampled by a
// worker thread, CPU time from /proc/<pid>/stat, and the client's own CPU time.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { clockTicksPerSecond, hwmKiB, machineTicks, reapedChildrenCpuTicks, treeCpuTicks, treeCpuTicksWithReaped } from './proc.ts';
import type { MonitorReply, MonitorRequest } from './monitor-worker.ts';

export interface Usage {
  /** Server RSS when the operation started, MiB. */
  rssStartMiB: number;
  /** Highest server RSS sampled during the operation, MiB. */
  rssPeakMiB: number;
  /** Server RSS right after the operation, MiB. */
  rssEndMiB: number;
  /** Server user+system CPU seconds spent during the operation. */
  serverCpuS: number;
  /** The user-mode part of serverCpuS. */
  serverUserS: number;
  /** The kernel-mode part of serverCpuS (syscalls: socket, file and page-cache work). */
  serverSystemS: number;
  /** This benchmark process's own user+system CPU seconds during the operation. */
  clientCpuS: number;
  /** CPU seconds of helper processes (wrk, loadgen) that finished during the operation. */
  toolCpuS: number;
  rssSamples: number;
  /**
   * The server process's VmHWM after the operation: its peak RSS since it started
   * (servers are restarted per scenario), which also catches spikes between samples.
   */
  hwmMiB: number;
  /** Whole machine during the operation, CPU seconds summed over cores: all busy time (client and server included). */
  machineBusyS: number;
  /** Whole machine: time cores sat idle waiting for disk I/O. */
  machineIowaitS: number;
  /** Whole machine: time the hypervisor ran something else on our cores (noise from outside). */
  machineStealS: number;
  /**
   * CPU seconds of the storage daemons during the operation, by name (s3 backend:
   * ceph-mon, ceph-osd, radosgw, postgres); absent when there are none.
   */
  daemonCpuS?: Record<string, number>;
}

/** A process, besides the server, whose CPU time every measurement reports. */
export interface WatchedDaemon {
  readonly name: string;
  readonly pid: number;
}

const MiB = 1024;

export class Monitor {
  readonly #worker: Worker;
  readonly #ticks = clockTicksPerSecond();
  readonly #daemons: readonly WatchedDaemon[];

  constructor(intervalMs = 50, daemons: readonly WatchedDaemon[] = []) {
    this.#daemons = daemons;
    this.#worker = new Worker(new URL('./monitor-worker.ts', import.meta.url), { workerData: { intervalMs } });
    this.#worker.unref();
  }

  async #call(msg: MonitorRequest): Promise<MonitorReply> {
    const reply = once(this.#worker, 'message') as Promise<[MonitorReply]>;
    this.#worker.postMessage(msg);
    const [r] = await reply;
    return r;
  }

  /** Runs fn while watching pid; returns fn's result with the usage. */
  async watch<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; usage: Usage }> {
    await this.#call({ type: 'begin', pid });
    const cpu0 = treeCpuTicks(pid);
    const client0 = process.cpuUsage();
    const tools0 = reapedChildrenCpuTicks();
    const machine0 = machineTicks();
    const daemons0 = this.#daemons.map((d) => treeCpuTicksWithReaped(d.pid));
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn() };
    } catch (error) {
      outcome = { ok: false, error }; // still stop sampling before rethrowing
    }
    const cpu1 = treeCpuTicks(pid);
    const client1 = process.cpuUsage(client0);
    const tools1 = reapedChildrenCpuTicks();
    const machine1 = machineTicks();
    const daemons1 = this.#daemons.map((d) => treeCpuTicksWithReaped(d.pid));
    const ended = await this.#call({ type: 'end' });
    if (!outcome.ok) throw outcome.error;
    if (ended.type !== 'ended') throw new Error('monitor protocol error');
    return {
      result: outcome.value,
      usage: {
        rssStartMiB: ended.startKiB / MiB,
        rssPeakMiB: ended.peakKiB / MiB,
        rssEndMiB: ended.endKiB / MiB,
        serverCpuS: (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) / this.#ticks,
        serverUserS: (cpu1[0] - cpu0[0]) / this.#ticks,
        serverSystemS: (cpu1[1] - cpu0[1]) / this.#ticks,
        clientCpuS: (client1.user + client1.system) / 1e6,
        toolCpuS: (tools1 - tools0) / this.#ticks,
        rssSamples: ended.samples,
        hwmMiB: hwmKiB(pid) / MiB,
        machineBusyS: (machine1.busy - machine0.busy) / this.#ticks,
        machineIowaitS: (machine1.iowait - machine0.iowait) / this.#ticks,
        machineStealS: (machine1.steal - machine0.steal) / this.#ticks,
        ...(this.#daemons.length
          ? {
              daemonCpuS: Object.fromEntries(
                this.#daemons.map((d, i) => [d.name, (daemons1[i]! - daemons0[i]!) / this.#ticks]),
              ),
            }
          : {}),
      },
    };
  }

  async close(): Promise<void> {
    this.#worker.postMessage({ type: 'quit' } satisfies MonitorRequest);
    await this.#worker.terminate();
  }
}
