/** The results table, printed and written into docs/benchmarks.md between the realtime markers. */
import { machine, sectionMarkers } from '../common/benchmarks-doc';
import type { LatencySummary, LoadResult } from './load-messages';

export const SECTION = 'realtime';
const { start: START, end: END } = sectionMarkers(SECTION);

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

/** What the baseline sends: the gateway's delivered message rate and mean message. */
export interface BaselineShape {
  /** `inventory:changed` messages per client per second (each broadcast reaches every client once). */
  messagesPerSecond: number;
  changesPerMessage: number;
  /** Mean JSON bytes of a whole message. */
  messageBytes: number;
}

export interface RealtimeReport {
  settings: BenchSettings;
  project: LoadResult;
  baseline: LoadResult;
  baselineShape: BaselineShape;
  doubleBooked: number;
  lostReservations: number;
  /** Ticket rows that disagree with the active reservation listing them (or listing none). */
  inconsistentTickets: number;
  /** events.total_tickets / available_tickets minus what the ticket rows count. */
  counterDrift: { total: number; available: number };
  replicaPeakRssKb: number[];
  baselinePeakRssKb: number[];
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

/** `inventory:changed` messages each client received per second of load (warm-up included). */
export function messagesPerClientPerSecond(
  result: LoadResult,
  settings: Pick<BenchSettings, 'warmupS' | 'durationS'>,
): number {
  return result.messagesReceived / Math.max(1, result.clients) / (settings.warmupS + settings.durationS);
}

/**
 * Server CPU time per delivered message, µs: the servers' user + system seconds over the load
 * phase, divided by the messages all clients received (one message to one client = one delivery).
 */
export function cpuPerDeliveryUs(result: LoadResult): number {
  const serverCpuSeconds =
    result.cpu.groups.servers.reduce((total, cores) => total + cores, 0) * result.cpu.elapsedS;
  return (serverCpuSeconds * 1e6) / Math.max(1, result.messagesReceived);
}

export function scaleRow(
  clients: number,
  run: Pick<RealtimeReport, 'project' | 'doubleBooked' | 'settings'>,
): ScaleRow {
  const { project } = run;
  return {
    clients,
    changesPerSecond: project.reserve.committedPerSecond,
    messagesPerClientPerSecond: messagesPerClientPerSecond(project, run.settings),
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

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const latency = (summary: LatencySummary): string =>
  `${ms(summary.p50)} / ${ms(summary.p99)} / ${ms(summary.max)}`;

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

/** Project over baseline: fan-out p99, and server CPU per delivered message. */
export function ratios(report: RealtimeReport): { fanOut: number; cpuPerDelivery: number } {
  return {
    fanOut: report.project.fanOutAll.p99 / report.baseline.fanOutAll.p99,
    cpuPerDelivery: cpuPerDeliveryUs(report.project) / cpuPerDeliveryUs(report.baseline),
  };
}

const us = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} µs` : 'n/a');

export function tableRows(report: RealtimeReport): [string, string, string, string][] {
  const { project, baseline, baselineShape, settings } = report;
  const { fanOut, cpuPerDelivery } = ratios(report);
  const rejected = Object.entries(project.reserve.rejected)
    .map(([code, count]) => `${count} ${code}`)
    .join(', ');
  return [
    ['connected clients', String(project.clients), String(baseline.clients), '2,000'],
    ['changes broadcast', String(project.expectedChanges), String(baseline.expectedChanges), ''],
    [
      'changes / s',
      project.reserve.committedPerSecond.toFixed(1),
      (baseline.expectedChanges / (settings.warmupS + settings.durationS)).toFixed(1),
      String(settings.reservesPerSecond),
    ],
    [
      '`inventory:changed` messages received (changes per message)',
      perMessage(project),
      perMessage(baseline),
      '',
    ],
    [
      'messages per client per s',
      messagesPerClientPerSecond(project, settings).toFixed(2),
      `${messagesPerClientPerSecond(baseline, settings).toFixed(2)} (target ${baselineShape.messagesPerSecond.toFixed(2)})`,
      'same',
    ],
    [
      'message size (mean JSON bytes)',
      String(project.meanMessageBytes),
      String(baseline.meanMessageBytes),
      'same',
    ],
    [
      'payload per change (mean JSON bytes)',
      String(project.meanPayloadBytes),
      String(baseline.meanPayloadBytes),
      '',
    ],
    [
      'fan-out to every client p50 / p99 / max',
      latency(project.fanOutAll),
      latency(baseline.fanOutAll),
      'p99 ≤ 100 ms',
    ],
    [
      'single delivery p50 / p99 / max',
      latency(project.fanOutDelivery),
      latency(baseline.fanOutDelivery),
      '',
    ],
    ['fan-out p99 ratio project / baseline', `${fanOut.toFixed(2)}×`, '1.00×', '≤ 1.5×'],
    [
      "server CPU per delivered message (servers' CPU time / messages received)",
      us(cpuPerDeliveryUs(project)),
      us(cpuPerDeliveryUs(baseline)),
      '',
    ],
    ['server CPU per delivery ratio project / baseline', `${cpuPerDelivery.toFixed(2)}×`, '1.00×', '≤ 1.5×'],
    [
      'reserve ack p50 / p99',
      `${ms(project.reserve.ackLatency.p50)} / ${ms(project.reserve.ackLatency.p99)}`,
      '',
      'p99 ≤ 50 ms',
    ],
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
    [
      'messages lost (sockets that stayed connected)',
      String(project.messagesLost),
      String(baseline.messagesLost),
      '0',
    ],
    [
      'sockets dropped during the run (messages they missed)',
      `${project.disconnected} (${project.missedWhileDisconnected})${reasons(project)}`,
      `${baseline.disconnected} (${baseline.missedWhileDisconnected})${reasons(baseline)}`,
      '0',
    ],
    [
      'messages out of version order',
      String(project.messagesOutOfOrder),
      String(baseline.messagesOutOfOrder),
      '0',
    ],
    ['messages duplicated', String(project.messagesDuplicated), String(baseline.messagesDuplicated), '0'],
    ['tickets double-booked (DB)', String(report.doubleBooked), '', '0'],
    ['acknowledged reservations missing (DB)', String(report.lostReservations), '', '0'],
    ['ticket rows disagreeing with reservations (DB)', String(report.inconsistentTickets), '', '0'],
    [
      'event counters − ticket rows, total / available (DB)',
      `${report.counterDrift.total} / ${report.counterDrift.available}`,
      '',
      '0 / 0',
    ],
    ['cores used during the load (user + system, from /proc)', cpuUse(project), cpuUse(baseline), ''],
    [
      'peak RSS per server (VmHWM)',
      report.replicaPeakRssKb.map(mib).join(' / '),
      report.baselinePeakRssKb.map(mib).join(' / '),
      '',
    ],
    ['peak RSS per load generator (largest)', mib(project.peakRssKb), mib(baseline.peakRssKb), ''],
    [
      'cores busy with other work just before the phase',
      report.loadBefore.project.toFixed(2),
      report.loadBefore.baseline.toFixed(2),
      '~0',
    ],
  ];
}

export function printTable(report: RealtimeReport): void {
  const rows = [
    ['metric', 'project (2 gateway replicas)', 'baseline (bare Socket.IO + Redis adapter)', 'goal'],
    ...tableRows(report),
  ];
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
      `${settings.reserverProcess ? "(their sockets in a load-generator process of their own, so that an acknowledgement does not queue behind the other sockets' broadcasts) " : ''}` +
      `send \`reserve\` at ` +
      `${settings.reservesPerSecond}/s for ${settings.warmupS} s of warm-up then ${settings.durationS} s measured (latencies count ` +
      'changes committed and requests sent after the warm-up; loss, order, duplicates and the database audit count everything). ' +
      "Fan-out latency is `committedAt` (the committing replica's clock) " +
      'to the moment the last client has the `inventory:changed`; a change counts only when every client got it. ' +
      "The gateway coalesces each event's changes into at most one `inventory:changed` message per `BROADCAST_INTERVAL_MS` " +
      '(default 50 ms, stretched to 3× the last send time in large rooms) per socket, several consecutive changes riding in one ' +
      'message, handed to the room in `BROADCAST_SHARDS` (8) shards. ' +
      'Baseline, same run: two bare Socket.IO servers with `@socket.io/redis-adapter` (no NestJS, no database, no coalescing ' +
      'logic) broadcasting, alternating between the two servers, to the same number of clients for the same duration, at the ' +
      "message rate the gateway delivered per client, each message as large on average as the gateway's and carrying as many " +
      'changes on average; those changes are stamped as committed evenly over the interval since the previous message, as ' +
      "a coalescing server's would be, so both sides count the same wait for the next message; same measure. " +
      "Server CPU per delivered message is the servers' user + system time over the load phase (from `/proc`) divided by " +
      "the messages all clients received; the gateway's includes everything else it does meanwhile (reservations, database, " +
      "index, acknowledgements), the baseline's only the broadcasts.",
    '',
    '| metric | project | baseline | goal |',
    '| --- | --- | --- | --- |',
    ...tableRows(report).map((row) => `| ${row.join(' | ')} |`),
    '',
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
