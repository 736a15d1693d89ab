/**
 * Reads V8 CPU profiles (`.cpuprofile`, written by processes run with BENCH_CPU_PROF=DIR) and
 * prints where each process spent its time: idle, garbage collection, and the functions and
 * packages with the most self time. For a first look at what holds a benchmark back without
 * opening a profiler UI.
 *
 *   node -r tsx/cjs bench/common/cpu-profile-summary.ts DIR_OR_FILE... [--top N] [--window NAME]
 *
 * A benchmark marks the windows it measures (markProfileWindow) in `windows.json` beside the
 * profiles; `--window NAME` then counts only the samples taken within that window. Profile
 * timestamps and process.hrtime() read the same monotonic clock, shared by every process.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A named span of the monotonic clock, µs (process.hrtime.bigint() / 1000). */
interface ProfileWindow {
  name: string;
  fromUs: number;
  toUs: number;
}

const WINDOWS_FILE = 'windows.json';

/** Now on the clock CPU profiles are stamped with, µs. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Records a measured window in BENCH_CPU_PROF's directory (nothing when it is not set). */
export function markProfileWindow(name: string, fromUs: number, toUs: number): void {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, WINDOWS_FILE);
  const windows = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ProfileWindow[]) : [];
  windows.push({ name, fromUs, toUs });
  writeFileSync(file, JSON.stringify(windows, null, 2));
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `node_modules/<package>` (scoped too), `node:` for Node's own code, else the file. */
function packageOf(url: string): string {
  if (url === '') return '(native or V8)';
  if (url.startsWith('node:')) return 'node:*';
  const at = url.lastIndexOf('node_modules/');
  if (at === -1) {
    const dist = /\/(apps|packages)\/([^/]+)\//.exec(url);
    return dist ? `${dist[1]}/${dist[2]}` : url;
  }
  const rest = url.slice(at + 'node_modules/'.length).split('/');
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

function shortUrl(url: string): string {
  const at = url.lastIndexOf('node_modules/');
  if (at !== -1) return url.slice(at + 'node_modules/'.length);
  return url.replace(/^file:\/\//, '').replace(/^.*\/(apps|packages)\//, '$1/');
}

export function summarizeProfile(profile: CpuProfile, top: number, window?: ProfileWindow): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const fromUs = window ? Math.max(window.fromUs, profile.startTime) : profile.startTime;
  const toUs = window ? Math.min(window.toUs, profile.endTime) : profile.endTime;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at >= fromUs && at <= toUs) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const totalUs = Math.max(1, toUs - fromUs);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let idleUs = 0;
  let gcUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    if (frame.functionName === '(garbage collector)') gcUs += us;
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const pkg = frame.functionName.startsWith('(') ? frame.functionName : packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number): string => `${((us / totalUs) * 100).toFixed(1)}%`;
  const rank = (map: Map<string, number>): string[] =>
    [...map.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([name, us]) => `  ${pct(us).padStart(6)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  return [
    `${window ? `window "${window.name}", ` : ''}profiled ${(totalUs / 1e6).toFixed(1)} s: busy ${pct(busyUs)}, idle ${pct(idleUs)}, of which GC ${pct(gcUs)}`,
    'self time by package:',
    ...rank(byPackage),
    'self time by function:',
    ...rank(byFunction),
  ];
}

function profilesIn(paths: string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.cpuprofile'))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt === -1 ? 25 : Number(args.splice(topAt, 2)[1]);
  const windowAt = args.indexOf('--window');
  const windowName = windowAt === -1 ? undefined : args.splice(windowAt, 2)[1];
  const files = profilesIn(args);
  if (files.length === 0) {
    console.error('usage: cpu-profile-summary.ts DIR_OR_FILE... [--top N]');
    process.exitCode = 2;
  }
  for (const file of files) {
    let window: ProfileWindow | undefined;
    if (windowName !== undefined) {
      const windowsFile = join(dirname(file), WINDOWS_FILE);
      const windows = existsSync(windowsFile)
        ? (JSON.parse(readFileSync(windowsFile, 'utf8')) as ProfileWindow[])
        : [];
      window = windows.find((candidate) => candidate.name === windowName);
      if (!window) throw new Error(`no window "${windowName}" in ${windowsFile}`);
    }
    console.log(`\n${file}`);
    for (const line of summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top, window))
      console.log(line);
  }
}
