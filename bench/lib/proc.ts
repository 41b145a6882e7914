// Reading a process's memory and CPU from /proc (Linux only).
// RSS and CPU are summed over the process and its descendants, so a server that
// forks workers (or wraps itself in a launcher) is still measured as a whole.
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number.parseInt(out.stdout ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : 100;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Fields of /proc/<pid>/stat after the command name, so index 0 is field 3 (state). */
function statFields(pid: number): string[] | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const close = text.lastIndexOf(')');
  return text.slice(close + 2).split(' ');
}

/** [utime, stime] in clock ticks. */
export function cpuTicksSplit(pid: number): [number, number] {
  const f = statFields(pid);
  if (!f) return [0, 0];
  return [Number(f[11]), Number(f[12])];
}

/** utime + stime in clock ticks. */
export function cpuTicks(pid: number): number {
  const [u, s] = cpuTicksSplit(pid);
  return u + s;
}

/** Resident set size in KiB (VmRSS), 0 if the process is gone. */
export function rssKiB(pid: number): number {
  const text = readText(`/proc/${pid}/status`);
  if (!text) return 0;
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** High-water mark of the resident set since the process started (VmHWM), KiB. */
export function hwmKiB(pid: number): number {
  const text = readText(`/proc/${pid}/status`);
  if (!text) return 0;
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** The process and all its live descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

/** [utime, stime] summed over the process tree, in clock ticks. */
export function treeCpuTicks(root: number): [number, number] {
  let user = 0;
  let system = 0;
  for (const pid of processTree(root)) {
    const [u, s] = cpuTicksSplit(pid);
    user += u;
    system += s;
  }
  return [user, system];
}

/**
 * CPU ticks a process tree has used, counting children that have exited: each live
 * process's utime + stime + cutime + cstime (a reaped child's time moves into its
 * parent's cutime/cstime). Unlike treeCpuTicks it never goes down when a worker
 * exits, e.g. a PostgreSQL backend whose connection a pool closed.
 */
export function treeCpuTicksWithReaped(root: number): number {
  let sum = 0;
  for (const pid of processTree(root)) {
    const f = statFields(pid);
    if (f) sum += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return sum;
}

export function treeRssKiB(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) sum += rssKiB(pid);
  return sum;
}

/** CPU ticks of this process's children that have exited and been waited for (cutime + cstime). */
export function reapedChildrenCpuTicks(): number {
  const f = statFields(process.pid);
  if (!f) return 0;
  return Number(f[13]) + Number(f[14]);
}

/** Machine-wide CPU time from the first line of /proc/stat, in clock ticks. */
export interface MachineTicks {
  busy: number;
  iowait: number;
  steal: number;
}

export function machineTicks(): MachineTicks {
  const line = (readText('/proc/stat') ?? '').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { busy: user + nice + system + irq + softirq, iowait, steal };
}
