/**
 * docs/benchmarks.md: each benchmark owns the text between its `<!-- name:start -->` and
 * `<!-- name:end -->` markers and rewrites only that; and the machine line every section carries.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';

export const BENCHMARKS_DOC = resolve(__dirname, '../../../../docs/benchmarks.md');

export const sectionMarkers = (name: string): { start: string; end: string } => ({
  start: `<!-- ${name}:start -->`,
  end: `<!-- ${name}:end -->`,
});

/** CPU model, cores, memory, Node version and platform of this machine. */
export function machine(): string {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 1024 ** 3).toFixed(1);
  return `${model}, ${cpus().length} cores, ${memoryGiB} GiB RAM, Node ${process.version}, ${process.platform}`;
}

/**
 * Replaces the section `name` (markers included in `section`) and keeps the rest of the file; a
 * section not there yet is appended.
 */
export function writeSection(name: string, section: string): void {
  const { start: START, end: END } = sectionMarkers(name);
  const current = existsSync(BENCHMARKS_DOC) ? readFileSync(BENCHMARKS_DOC, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start !== -1 && end > start
      ? current.slice(0, start) + section + current.slice(end + END.length)
      : `${current.replace(/\s*$/, '')}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_DOC, next);
}
