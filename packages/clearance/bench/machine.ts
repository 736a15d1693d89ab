import { readFileSync } from 'node:fs';
import os from 'node:os';

/** One line naming the machine a benchmark ran on. */
export function describeMachine(): string {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const match = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpu = match[1].trim();
  } catch {
    // Not Linux: os.cpus() is good enough.
  }
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${cpu}, ${os.cpus().length} cores, ${memGiB} GiB, Node.js ${process.version}, ${os.platform()} ${os.arch()}`;
}
