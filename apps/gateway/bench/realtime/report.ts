/** The results table, printed and written into docs/benchmarks.md between the realtime markers. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { LatencySummary, LoadResult } from './load-messages';

export const BENCHMARKS_DOC = resolve(__dirname, '../../../../docs/benchmarks.md');
const START = '<!-- realtime:start -->';
const END = '<!-- realtime:end -->';

export interface BenchSettings {
  clients: number;
  reservesPerSecond: number;
  durationS: number;
  warmupS: number;
  tickets: number;
  reservers: number;
  /** The reserving users' sockets run in a load-generator process of their own. */
  reserverProcess: boolean;
}

export interface RealtimeReport {
  settings: BenchSettings;
  project: LoadResult;
  baseline: LoadResult;
  /** Broadcasts per second in the baseline: the rate the project actually committed, at most the target. */
  baselineRate: number;
  doubleBooked: number;
  lostReservations: number;
  /** Ticket rows that disagree with the active reservation listing them (or listing none). */
  inconsistentTickets: number;
  /** events.total_tickets / available_tickets minus what the ticket rows count. */
  counterDrift: { total: number; available: number };
  replicaPeakRssKb: number[];
  baselinePeakRssKb: number[];
  /** The baseline again at a low rate (BENCH_FLOOR_RATE): what bare Socket.IO does for these clients here. */
  floor: { rate: number; result: LoadResult } | null;
  /** Cores busy with other work (not the bench) over 3 s just before each phase. */
  loadBefore: { project: number; baseline: number };
}

/** One line of the scale table: a project-only run at fewer clients. */
export interface ScaleRow {
  clients: number;
  changesPerSecond: number;
  messagesPerClientPerSecond: number;
  changesPerMessage: number;
  fanOut: LatencySummary;
  ackLatency: LatencySummary;
  lost: number;
  doubleBooked: number;
}

export function scaleRow(clients: number, run: Pick<RealtimeReport, 'project' | 'doubleBooked' | 'settings'>): ScaleRow {
  const { project } = run;
  return {
    clients,
    changesPerSecond: project.reserve.committedPerSecond,
    messagesPerClientPerSecond: project.messagesReceived / Math.max(1, project.clients) / (run.settings.warmupS + run.settings.durationS),
    changesPerMessage: project.changesReceived / Math.max(1, project.messagesReceived),
    fanOut: project.fanOutAll,
    ackLatency: project.reserve.ackLatency,
    lost: project.messagesLost,
    doubleBooked: run.doubleBooked,
  };
}

function scaleTable(report: RealtimeReport, scale: readonly ScaleRow[]): string[] {
  const rows = [...scale, scaleRow(report.settings.clients, report)];
  return [
    '| clients | changes / s | messages per client per s (changes per message) | fan-out to every client p50 / p99 | reserve ack p50 / p99 | lost / double-booked |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.clients.toLocaleString('en-US')} | ${row.changesPerSecond.toFixed(1)} | ${row.messagesPerClientPerSecond.toFixed(1)} ` +
        `(${row.changesPerMessage.toFixed(2)}) | ${ms(row.fanOut.p50)} / ${ms(row.fanOut.p99)} | ` +
        `${ms(row.ackLatency.p50)} / ${ms(row.ackLatency.p99)} | ${row.lost} / ${row.doubleBooked} |`,
    ),
  ];
}

export function machine(): string {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 1024 ** 3).toFixed(1);
  return `${model}, ${cpus().length} cores, ${memoryGiB} GiB RAM, Node ${process.version}, ${process.platform}`;
}

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const latency = (summary: LatencySummary): string => `${ms(summary.p50)} / ${ms(summary.p99)} / ${ms(summary.max)}`;

const reasons = (result: LoadResult): string => {
  const entries = Object.entries(result.disconnectReasons);
  return entries.length === 0 ? '' : `; ${entries.map(([reason, count]) => `${count} ${reason}`).join(', ')}`;
};

const coreFigure = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '?');
const cores = (values: readonly number[]): string => values.map(coreFigure).join(' + ');

/** Cores used under load: servers, load generators, MariaDB, Redis; then the whole machine. */
export const cpuUse = (result: LoadResult): string => {
  const { groups, machine, interrupts, steal, cores: total } = result.cpu;
  const parts = [`servers ${cores(groups.servers)}`, `load generators ${cores(groups.generators)}`];
  if (groups.mariadb.length > 0 && result.mode === 'project') parts.push(`MariaDB ${cores(groups.mariadb)}`);
  if (groups.redis.length > 0) parts.push(`Redis ${cores(groups.redis)}`);
  return `${parts.join(', ')}; machine ${coreFigure(machine)} of ${total} (interrupts ${coreFigure(interrupts)}, steal ${coreFigure(steal)})`;
};

const perMessage = (result: LoadResult): string =>
  `${result.messagesReceived} (${(result.changesReceived / Math.max(1, result.messagesReceived)).toFixed(2)})`;

export function ratio(report: RealtimeReport): number {
  return report.project.fanOutAll.p99 / report.baseline.fanOutAll.p99;
}

export function tableRows(report: RealtimeReport): [string, string, string, string][] {
  const { project, baseline } = report;
  const rejected = Object.entries(project.reserve.rejected)
    .map(([code, count]) => `${count} ${code}`)
    .join(', ');
  return [
    ['connected clients', String(project.clients), String(baseline.clients), '2,000'],
    ['changes broadcast', String(project.expectedChanges), String(baseline.expectedChanges), ''],
    ['changes / s', project.reserve.committedPerSecond.toFixed(1), report.baselineRate.toFixed(1), String(report.settings.reservesPerSecond)],
    ['`inventory:changed` messages received (changes per message)', perMessage(project), perMessage(baseline), ''],
    ['payload per change (mean JSON bytes)', String(project.meanPayloadBytes), String(baseline.meanPayloadBytes), 'same'],
    ['fan-out to every client p50 / p99 / max', latency(project.fanOutAll), latency(baseline.fanOutAll), 'p99 ≤ 100 ms'],
    ['single delivery p50 / p99 / max', latency(project.fanOutDelivery), latency(baseline.fanOutDelivery), ''],
    ['fan-out p99 ratio project / baseline', `${ratio(report).toFixed(2)}×`, '1.00×', '≤ 1.5×'],
    ['reserve ack p50 / p99', `${ms(project.reserve.ackLatency.p50)} / ${ms(project.reserve.ackLatency.p99)}`, '', 'p99 ≤ 50 ms'],
    [
      'reservations committed / s',
      `${project.reserve.committedPerSecond.toFixed(1)} (${project.expectedChanges} changes)`,
      '',
      `${report.settings.reservesPerSecond}`,
    ],
    [
      'reserve requests: sent / acknowledged ok',
      `${project.reserve.sent} / ${project.reserve.ok}${rejected ? `; ${rejected}` : ''}` +
        `${project.reserve.late ? `; ${project.reserve.late} answered after > 20 s` : ''}` +
        `${project.reserve.noAck ? `; ${project.reserve.noAck} never answered` : ''}`,
      '',
      '',
    ],
    ['messages lost (sockets that stayed connected)', String(project.messagesLost), String(baseline.messagesLost), '0'],
    [
      'sockets dropped during the run (messages they missed)',
      `${project.disconnected} (${project.missedWhileDisconnected})${reasons(project)}`,
      `${baseline.disconnected} (${baseline.missedWhileDisconnected})${reasons(baseline)}`,
      '0',
    ],
    ['messages out of version order', String(project.messagesOutOfOrder), String(baseline.messagesOutOfOrder), '0'],
    ['messages duplicated', String(project.messagesDuplicated), String(baseline.messagesDuplicated), '0'],
    ['tickets double-booked (DB)', String(report.doubleBooked), '', '0'],
    ['acknowledged reservations missing (DB)', String(report.lostReservations), '', '0'],
    ['ticket rows disagreeing with reservations (DB)', String(report.inconsistentTickets), '', '0'],
    ['event counters − ticket rows, total / available (DB)', `${report.counterDrift.total} / ${report.counterDrift.available}`, '', '0 / 0'],
    ['cores used during the load (user + system, from /proc)', cpuUse(project), cpuUse(baseline), ''],
    ['peak RSS per server (VmHWM)', report.replicaPeakRssKb.map(mib).join(' / '), report.baselinePeakRssKb.map(mib).join(' / '), ''],
    ['peak RSS per load generator (largest)', mib(project.peakRssKb), mib(baseline.peakRssKb), ''],
    ['cores busy with other work just before the phase', report.loadBefore.project.toFixed(2), report.loadBefore.baseline.toFixed(2), '~0'],
  ];
}

export function printTable(report: RealtimeReport): void {
  const rows = [['metric', 'project (2 gateway replicas)', 'baseline (bare Socket.IO + Redis adapter)', 'goal'], ...tableRows(report)];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column])).join(' | '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  }
}

export function markdownSection(report: RealtimeReport, date: Date, scale: readonly ScaleRow[] = []): string {
  const { settings } = report;
  const lines = [
    START,
    '## Realtime fan-out (`pnpm bench:realtime`)',
    '',
    `Run ${date.toISOString()} on ${machine()}; MariaDB, Redis, both servers and the load generator share that machine.`,
    '',
    `Two gateway replicas (\`node apps/gateway/dist/main.js\`, \`REDIS_URL\` set) on one fresh MariaDB database; one event with ` +
      `${settings.tickets.toLocaleString('en-US')} tickets (values 1..1000); ${report.project.generators} load-generator processes with ` +
      `${settings.clients.toLocaleString('en-US')} socket.io-client sockets between them (websocket transport), split evenly across the replicas, ` +
      `all joined to the event, while ${settings.reservers} reserving users among them ` +
      `${settings.reserverProcess ? '(their sockets in a load-generator process of their own, so that an acknowledgement does not queue behind the other sockets\' broadcasts) ' : ''}` +
      `send \`reserve\` at ` +
      `${settings.reservesPerSecond}/s for ${settings.warmupS} s of warm-up then ${settings.durationS} s measured (latencies count ` +
      'changes committed and requests sent after the warm-up; loss, order, duplicates and the database audit count everything). ' +
      "Fan-out latency is `committedAt` (the committing replica's clock) " +
      'to the moment the last client has the `inventory:changed`; a change counts only when every client got it. ' +
      "The gateway coalesces each event's changes into at most one `inventory:changed` message per `BROADCAST_INTERVAL_MS` " +
      '(default 50 ms, stretched to 3× the last send time in large rooms) per socket, several consecutive changes riding in one ' +
      'message, handed to the room in `BROADCAST_SHARDS` (8) shards; the baseline sends one message per change. ' +
      'Baseline, same run: two bare Socket.IO servers with `@socket.io/redis-adapter` (no NestJS, no database) broadcasting a ' +
      'payload of the same size to the same number of clients for the same duration, alternating between the two servers, ' +
      'at the rate the project actually committed (at most the target rate, so both sides fan out the same work); same measure.',
    '',
    '| metric | project | baseline | goal |',
    '| --- | --- | --- | --- |',
    ...tableRows(report).map((row) => `| ${row.join(' | ')} |`),
    '',
    ...(report.floor ? [floorParagraph(report.floor, settings.clients), ''] : []),
    ...(scale.length === 0
      ? []
      : [
          'The same run first measured the project alone at fewer clients (same rate, duration and machine; `BENCH_SCALE`):',
          '',
          ...scaleTable(report, scale),
          '',
        ]),
    END,
  ];
  return lines.join('\n');
}

/** The machine's floor: bare Socket.IO at a rate far below the goal, to the same clients. */
function floorParagraph(floor: NonNullable<RealtimeReport['floor']>, clients: number): string {
  const { result } = floor;
  return (
    `What this machine can do at all: the same bare Socket.IO baseline at only ${floor.rate} broadcasts/s (one message each) ` +
    `to the same ${clients.toLocaleString('en-US')} clients had fan-out to every client p50 / p99 / max ${latency(result.fanOutAll)}, ` +
    `${result.messagesLost} lost; cores used: ${cpuUse(result)}.`
  );
}

/** Replaces only the realtime section; the rest of the file (the clearance section) is kept. */
export function writeSection(section: string): void {
  const current = existsSync(BENCHMARKS_DOC) ? readFileSync(BENCHMARKS_DOC, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start !== -1 && end > start
      ? current.slice(0, start) + section + current.slice(end + END.length)
      : `${current.replace(/\s*$/, '')}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_DOC, next);
}
