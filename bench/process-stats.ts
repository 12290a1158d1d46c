import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

const SAMPLE_INTERVAL_MS = 250;
const KIB = 1024;
/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const MS_PER_TICK = 10;
/** utime and stime are fields 14 and 15 of /proc/<pid>/stat; after `comm` they are 12, 13. */
const UTIME_AFTER_COMM = 11;

/** One process over the sampled window. */
export interface ProcessStats {
  lastRssBytes: number;
  peakRssBytes: number;
  /** CPU time (user + system) spent in the window; undefined if not readable. */
  cpuMs: number | undefined;
}

/** Stats by process name over a window; a process /proc could not read is absent. */
export interface StatsReport {
  windowMs: number;
  processes: Map<string, ProcessStats>;
}

/** VmRSS from /proc/<pid>/status; undefined off Linux or once the process is gone. */
async function readRssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * KIB;
  } catch {
    return undefined;
  }
}

/** User plus system CPU time so far, from /proc/<pid>/stat. */
async function readCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // `comm` may hold spaces and parentheses; the fields after its last `)` are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[UTIME_AFTER_COMM]) + Number(fields[UTIME_AFTER_COMM + 1]);
    return Number.isFinite(ticks) ? ticks * MS_PER_TICK : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples the processes' RSS every 250 ms and their CPU time at both ends, until `stop()`.
 * Reading a small /proc file per process is cheap next to the load being measured.
 */
export function sampleProcesses(pids: ReadonlyMap<string, number>): {
  stop(): Promise<StatsReport>;
} {
  const started = performance.now();
  const processes = new Map<string, ProcessStats>();
  const cpuAtStart = new Map<string, Promise<number | undefined>>();
  for (const [name, pid] of pids) cpuAtStart.set(name, readCpuMs(pid));

  const sampleRss = async (): Promise<void> => {
    for (const [name, pid] of pids) {
      const bytes = await readRssBytes(pid);
      if (bytes === undefined) continue;
      const seen = processes.get(name);
      const peakRssBytes = Math.max(bytes, seen?.peakRssBytes ?? 0);
      processes.set(name, { lastRssBytes: bytes, peakRssBytes, cpuMs: undefined });
    }
  };
  let pending = sampleRss();
  const timer = setInterval(() => {
    pending = pending.then(sampleRss);
  }, SAMPLE_INTERVAL_MS);

  return {
    stop: async () => {
      clearInterval(timer);
      await pending.then(sampleRss);
      for (const [name, stats] of processes) {
        const pid = pids.get(name);
        const before = await cpuAtStart.get(name);
        const after = pid === undefined ? undefined : await readCpuMs(pid);
        if (before !== undefined && after !== undefined) stats.cpuMs = after - before;
      }
      return { windowMs: performance.now() - started, processes };
    },
  };
}
