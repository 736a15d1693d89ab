/** bench:stall's table, printed and written into docs/benchmarks.md between the stall markers. */
import { machine, sectionMarkers } from '../common/benchmarks-doc';
import type { ProbeResult } from './prober-messages';
import type { StallSettings } from './scenarios';

export const SECTION = 'stall';

/** What one measuring window saw. */
export interface WindowFigures {
  probe: ProbeResult;
  /** The replica's event-loop max delay over the window, ms; null: no /metrics route; undefined: the scrape got no answer. */
  loopMaxMs: number | null | undefined;
  windowMs: number;
}

export interface ScenarioRow {
  name: string;
  detail: string;
  statuses: Record<string, number>;
  /** First request sent → last answer (the scenario's timeout when it timed out). */
  requestMs: number;
  timedOut: boolean;
  load: WindowFigures;
  /** The same replica idle for as long (bounded by BENCH_IDLE_MAX_S); null when that is 0. */
  idle: WindowFigures | null;
  /** The replica's resident memory right after the scenario, kB. */
  rssKb: number | null;
  note: string | null;
}

export interface StallReport {
  settings: StallSettings;
  rows: ScenarioRow[];
  date: Date;
  goalMs: number;
  /** Cores busy with other work just before the run. */
  loadBefore: number;
  firstStartMs: number;
  /** The prober against a bare node:http server on this machine; null when skipped. */
  machineFloor: ProbeResult | null;
}

const ms = (value: number): string =>
  !Number.isFinite(value)
    ? 'n/a'
    : value >= 10_000
      ? `${(value / 1000).toFixed(1)} s`
      : `${value.toFixed(1)} ms`;

function prober({ probe }: Pick<WindowFigures, 'probe'>): string {
  const longest = `${probe.unanswered ? '≥ ' : ''}${ms(probe.waits.max)}`;
  const failures = probe.errors > 0 ? `; ${probe.errors} failed` : '';
  return `${longest} (p99 ${ms(probe.waits.p99)}, ${probe.answered.toLocaleString('en-US')} probes${failures})`;
}

function loop(window: WindowFigures): string {
  if (window.loopMaxMs === null) return 'n/a (no /metrics)';
  if (window.loopMaxMs === undefined) return 'no answer';
  return ms(window.loopMaxMs);
}

function statuses(row: ScenarioRow): string {
  return Object.entries(row.statuses)
    .map(([status, count]) => (count === 1 ? status : `${count} × ${status}`))
    .join(', ');
}

/** Within the goal: neither the prober nor the replica's own loop waited longer (an absent loop figure does not count). */
export function met(row: ScenarioRow, goalMs: number): boolean {
  return (
    !row.timedOut &&
    !row.load.probe.unanswered &&
    Math.max(row.load.probe.waits.max, row.load.loopMaxMs ?? 0) <= goalMs
  );
}

function tableRows(report: StallReport): string[][] {
  return report.rows.map((row) => [
    row.name,
    [row.detail, row.note].filter(Boolean).join('; '),
    statuses(row),
    row.timedOut ? `> ${ms(row.requestMs)} (timed out; replica restarted)` : ms(row.requestMs),
    prober(row.load),
    loop(row.load),
    row.idle ? `${prober(row.idle)}; loop ${loop(row.idle)}` : 'n/a',
    row.rssKb === null ? 'n/a' : `${(row.rssKb / 1024).toFixed(0)} MiB`,
    met(row, report.goalMs) ? 'yes' : 'no',
  ]);
}

const header = (goalMs: number): string[] => [
  'scenario',
  'what',
  'answer',
  'request duration',
  '/healthz longest wait (p99)',
  'event-loop max delay',
  'idle, same duration: /healthz longest wait (p99); loop',
  'RSS after',
  `≤ ${goalMs} ms`,
];

export function printTable(report: StallReport): void {
  const rows = [header(report.goalMs), ...tableRows(report)];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column])).join(' | '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  }
}

export function markdownSection(report: StallReport): string {
  const { start, end } = sectionMarkers(SECTION);
  const { settings } = report;
  const count = (value: number): string => value.toLocaleString('en-US');
  return [
    start,
    '## Event-loop stalls (`pnpm bench:stall`)',
    '',
    `Run ${report.date.toISOString()} on ${machine()}; the replica, the prober and the orchestrator share that machine ` +
      `(${report.loadBefore.toFixed(2)} cores busy with other work just before the run).`,
    '',
    'One replica (`node apps/gateway/dist/main.js`) on its embedded default: SQLite in a fresh `DATA_DIR`, `SEED_DEMO=false`, ' +
      `admin from \`ADMIN_EMAIL\`/\`ADMIN_PASSWORD\` (first start to ready ${ms(report.firstStartMs)}). One event built up to ` +
      `${count(settings.tickets)} tickets (values 1..1000) by the first scenario; both events' indexes are loaded before their ` +
      'bulk adds, as when people have them open. The scenarios run one after another, each with any reads it needs to pick ' +
      'its target (a level, a reservation) done before its window. During each, a separate process sends `GET /api/healthz` ' +
      'back to back on one keep-alive connection, one request after another; its longest wait is what a load balancer ' +
      "would see. The event-loop max delay is the replica's own `nodejs_eventloop_lag_max_seconds` (`GET /metrics`, " +
      'scraped right before and right after). A window lasts from the first request to ' +
      `${ms(settings.tailMs)} after the last answer (work after the answer counts too). ` +
      `A scenario with no answer after ${settings.scenarioTimeoutS} s counts as timed out and the replica is restarted ` +
      '(SIGKILL, same data) so the run goes on. The idle column is the floor: the same prober against the same replica, idle ' +
      `for as long as the scenario's window (at most ${settings.idleMaxS} s), right after it: GC and scheduling jitter.`,
    '',
    `| ${header(report.goalMs).join(' | ')} |`,
    `| ${header(report.goalMs)
      .map(() => '---')
      .join(' | ')} |`,
    ...tableRows(report).map((row) => `| ${row.join(' | ')} |`),
    '',
    ...(report.machineFloor
      ? [
          `The machine's own floor: the same prober against a bare \`node:http\` server for ${settings.machineFloorS} s had a ` +
            `longest wait of ${prober({ probe: report.machineFloor })}.`,
          '',
        ]
      : []),
    end,
  ].join('\n');
}
