/**
 * Where the machine's cores went during a load phase, read from /proc: CPU seconds (user +
 * system) of each process the bench started, of MariaDB and Redis, and of the whole machine.
 * Why: on a small machine every process of the run (servers, database, load generator) competes
 * for the same cores, and a latency figure means little without knowing how close to saturated
 * the machine was.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks; USER_HZ is 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; null once it is gone (or off Linux). */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Pids of running processes whose command name is `name` (e.g. `mariadbd`, `redis-server`). */
export function pidsNamed(...names: string[]): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return pids;
}

/** Jiffies of the whole machine (every core), from the first line of /proc/stat. */
interface MachineJiffies {
  busy: number;
  /** Interrupt handling (irq + softirq): mostly the loopback network stack, charged to no process. */
  interrupts: number;
  /** Time the hypervisor gave another guest while this one wanted the core. */
  steal: number;
  total: number;
}

function machineJiffies(): MachineJiffies | null {
  try {
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map((field) => Number(field) || 0);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, interrupts: irq + softirq, steal, total: busy + idle + iowait };
  } catch {
    return null;
  }
}

/** Cores used by each group of processes over a phase, and by the whole machine. */
export interface CpuShare {
  /** Per group, cores used per process, in the order the pids were given. */
  groups: Record<string, number[]>;
  /** Cores busy over the whole machine (all processes, interrupts and steal included). */
  machine: number;
  /** Of which interrupt handling and hypervisor steal. */
  interrupts: number;
  steal: number;
  cores: number;
  /** Wall-clock seconds between start() and stop(): cores × elapsedS is CPU seconds. */
  elapsedS: number;
}

/** Measures what each group of processes used between `start()` and `stop()`. */
export class CpuMeter {
  private startedAt = 0;
  private before = new Map<number, number>();
  private machineBefore: MachineJiffies | null = null;

  constructor(
    private readonly groups: Record<string, readonly (number | undefined)[]>,
    private readonly cores: number,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.machineBefore = machineJiffies();
    this.before = new Map();
    for (const pids of Object.values(this.groups)) {
      for (const pid of pids) {
        const seconds = cpuSeconds(pid);
        if (pid !== undefined && seconds !== null) this.before.set(pid, seconds);
      }
    }
  }

  stop(): CpuShare {
    const elapsedS = Math.max(0.001, (performance.now() - this.startedAt) / 1000);
    const groups: Record<string, number[]> = {};
    for (const [name, pids] of Object.entries(this.groups)) {
      groups[name] = pids.map((pid) => {
        const before = pid === undefined ? undefined : this.before.get(pid);
        const after = cpuSeconds(pid);
        return before === undefined || after === null ? NaN : (after - before) / elapsedS;
      });
    }
    const before = this.machineBefore;
    const after = machineJiffies();
    const cores = (pick: (jiffies: MachineJiffies) => number): number =>
      before && after && after.total > before.total
        ? ((pick(after) - pick(before)) / (after.total - before.total)) * this.cores
        : NaN;
    const machine = cores((jiffies) => jiffies.busy);
    const interrupts = cores((jiffies) => jiffies.interrupts);
    const steal = cores((jiffies) => jiffies.steal);
    return { groups, machine, interrupts, steal, cores: this.cores, elapsedS };
  }
}
