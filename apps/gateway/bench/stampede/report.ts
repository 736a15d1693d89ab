/** bench:stampede's table, printed and written into docs/benchmarks.md between the stampede markers. */
import { machine, sectionMarkers } from '../common/benchmarks-doc';
import type { CpuShare } from '../common/cpu-usage';
import type { LatencySummary } from '../common/latency';
import type { BareResult } from './bare-reserve';
import type { SyncResult } from './messages';

export const SECTION = 'stampede';

export interface StampedeSettings {
  sockets: number;
  users: number;
  tickets: number;
  sharedLevels: number;
  generators: number;
  /** RESERVE_RATE_LIMIT given to the replicas: high enough never to answer RATE_LIMITED here. */
  rateLimit: string;
  /** Connections of the bare replay's pool: the replicas' pools together. */
  barePoolSize: number;
}

export interface PhaseReport {
  name: string;
  description: string;
  requests: number;
  /** Answers by outcome: `ok`, an error code, `no answer`. */
  outcomes: Record<string, number>;
  /** Reservations in the database from this phase. */
  committed: number;
  /** Reserve transactions begun (reservation ids used up, rolled back ones included). */
  transactionsBegun: number;
  ticketsReserved: number;
  /** committed / (the phase's last committedAt − the go signal). */
  committedPerSecond: number;
  commitSpanMs: number;
  ack: LatencySummary;
  /** The go signal → the last acknowledgement. */
  lastAckMs: number;
  /** The go signal → the moment the last socket had the last version of the phase (NaN when some never arrived). */
  everySocketHasEveryChangeMs: number;
  /** `messages`: received during this phase. */
  sync: SyncResult;
  /** Versions the event moved by during the phase. */
  versions: number;
  cpu: CpuShare;
  bare: BareResult & { cpu: CpuShare };
}

export interface StampedeReport {
  settings: StampedeSettings;
  date: Date;
  loadBefore: number;
  phases: PhaseReport[];
  audit: {
    doubleBooked: number;
    lostReservations: number;
    inconsistentTickets: number;
    counterDrift: { total: number; available: number };
  };
  replicaPeakRssKb: number[];
}

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a');
const count = (value: number): string => value.toLocaleString('en-US');
const cores = (values: readonly number[]): string =>
  values.map((value) => (Number.isFinite(value) ? value.toFixed(2) : '?')).join(' + ');

function cpuUse(cpu: CpuShare): string {
  const parts = Object.entries(cpu.groups)
    .filter(([, values]) => values.length > 0)
    .map(([name, values]) => `${name} ${cores(values)}`);
  return `${parts.join(', ')}; machine ${cpu.machine.toFixed(2)} of ${cpu.cores} (interrupts ${cpu.interrupts.toFixed(2)})`;
}

export function ratio(phase: PhaseReport): number {
  return phase.committedPerSecond / phase.bare.committedPerSecond;
}

function tableRows(report: StampedeReport): string[][] {
  const { phases, audit } = report;
  const row = (metric: string, cell: (phase: PhaseReport) => string, goal = ''): string[] => [
    metric,
    ...phases.map(cell),
    goal,
  ];
  return [
    row('reserve requests (one per socket, sent at the same instant)', (phase) => count(phase.requests)),
    row('answers by outcome', (phase) =>
      Object.entries(phase.outcomes)
        .sort(([, a], [, b]) => b - a)
        .map(([outcome, n]) => `${count(n)} ${outcome}`)
        .join(', '),
    ),
    row(
      'reservations committed (tickets)',
      (phase) => `${count(phase.committed)} (${count(phase.ticketsReserved)})`,
    ),
    row(
      'reserve transactions begun (rolled back: witness taken meanwhile)',
      (phase) => `${count(phase.transactionsBegun)} (${count(phase.transactionsBegun - phase.committed)})`,
    ),
    row(
      'committed / s (go → last commit)',
      (phase) => `${phase.committedPerSecond.toFixed(0)} (${ms(phase.commitSpanMs)})`,
    ),
    row(
      `bare MariaDB, same transactions from one process (pool of ${report.settings.barePoolSize}): committed / s`,
      (phase) =>
        `${phase.bare.committedPerSecond.toFixed(0)} (${count(phase.bare.committed)} in ${ms(phase.bare.elapsedMs)}` +
        `${phase.bare.stale + phase.bare.failed > 0 ? `; ${phase.bare.stale} stale, ${phase.bare.failed} failed` : ''})`,
    ),
    row(
      'committed rate project / bare',
      (phase) => (Number.isFinite(ratio(phase)) ? `${ratio(phase).toFixed(2)}×` : 'n/a'),
      '≥ 0.5×',
    ),
    row(
      'acknowledgement p50 / p99 / max',
      (phase) => `${ms(phase.ack.p50)} / ${ms(phase.ack.p99)} / ${ms(phase.ack.max)}`,
    ),
    row('go → every socket has every change', (phase) =>
      phase.sync.missing > 0
        ? `${count(phase.sync.missing)} socket × change never arrived`
        : ms(phase.everySocketHasEveryChangeMs),
    ),
    row(
      '`inventory:changed` messages received, changes (versions)',
      (phase) => `${count(phase.sync.messages)}, ${count(phase.versions)} versions`,
    ),
    row(
      'sockets dropped / messages out of version order',
      (phase) => `${phase.sync.disconnected} / ${phase.sync.outOfOrder}`,
      '0 / 0',
    ),
    row('cores used, project (go → last acknowledgement)', (phase) => cpuUse(phase.cpu)),
    row('cores used, bare replay', (phase) => cpuUse(phase.bare.cpu)),
    ['tickets double-booked (DB and acknowledgements, whole run)', String(audit.doubleBooked), '', '0'],
    ['acknowledged reservations missing from the DB (whole run)', String(audit.lostReservations), '', '0'],
    ['ticket rows disagreeing with reservations (DB)', String(audit.inconsistentTickets), '', '0'],
    [
      'event counters − ticket rows, total / available (DB)',
      `${audit.counterDrift.total} / ${audit.counterDrift.available}`,
      '',
      '0 / 0',
    ],
    [
      'peak RSS per replica (VmHWM)',
      report.replicaPeakRssKb.map((kb) => `${(kb / 1024).toFixed(0)} MiB`).join(' / '),
      '',
      '',
    ],
  ];
}

function header(report: StampedeReport): string[] {
  return ['metric', ...report.phases.map((phase) => `${phase.name}: ${phase.description}`), 'goal'];
}

export function printTable(report: StampedeReport): void {
  const rows = [header(report), ...tableRows(report)];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => (cell ?? '').padEnd(widths[column])).join(' | '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  }
}

export function markdownSection(report: StampedeReport): string {
  const { start, end } = sectionMarkers(SECTION);
  const { settings } = report;
  const head = header(report);
  return [
    start,
    '## Reservation stampede (`pnpm bench:stampede`)',
    '',
    `Run ${report.date.toISOString()} on ${machine()}; MariaDB, Redis, both replicas and the load generators share that machine ` +
      `(${report.loadBefore.toFixed(2)} cores busy with other work just before the run).`,
    '',
    'Two replicas (`node apps/gateway/dist/main.js`, `REDIS_URL` with a random `REDIS_PREFIX`) on one fresh MariaDB database, ' +
      `\`RESERVE_RATE_LIMIT=${settings.rateLimit}\` so the limit never interferes; one event of ${count(settings.tickets)} tickets ` +
      `(values 1..1000); ${count(settings.sockets)} socket.io-client sockets of ${count(settings.users)} users in ` +
      `${settings.generators} load-generator processes, split evenly across the replicas, all joined to the event. In each phase ` +
      'every socket sends one `reserve` at the same instant (the go signal); committed / s counts the reservations in the ' +
      "database over the go signal → the phase's last `committedAt`; acknowledgements are timed per socket; every socket " +
      'must receive every version of the phase (`inventory:changed`). The limit, same run: the same transaction as the ' +
      "gateway's MySQL path (`reserveOnMysql`: START, insert the reservation, conditional UPDATE of the tickets, " +
      'reservation_tickets rows, version bump, outbox row INSERT … SELECT, read back, COMMIT, in the same two round trips) ' +
      `issued straight to MariaDB from one Node process through one mysql2 pool of ${settings.barePoolSize} connections ` +
      "(the two replicas' pools together), all at once, on a copy of the data taken before phase 1, replaying exactly the " +
      'reservations the gateway committed, phase by phase (equal work).',
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...tableRows(report).map((row) => `| ${row.join(' | ')} |`),
    '',
    end,
  ].join('\n');
}

export const EXPIRY_SECTION = 'stampede-expiry';

/** Phase 3 against phase 2: the same stampede, with and without a thousand holds running out in its second. */
export interface ExpiryReport {
  date: Date;
  holds: number;
  ticketsReturned: number;
  /** Inventory changes with cause `expired` (the sweepers batch each event's due holds). */
  expiredChanges: number;
  /** The go signal (every deadline) → no hold left held. */
  allExpiredMs: number;
  withExpiries: Omit<PhaseReport, 'bare'>;
  without: Omit<PhaseReport, 'bare'>;
}

function expiryRows(report: ExpiryReport): string[][] {
  const both = (metric: string, cell: (phase: Omit<PhaseReport, 'bare'>) => string): string[] => [
    metric,
    cell(report.without),
    cell(report.withExpiries),
  ];
  return [
    [
      'holds running out at the go signal (tickets)',
      '0',
      `${count(report.holds)} (${count(report.ticketsReturned)})`,
    ],
    [
      'go → every hold expired (DB), `expired` changes',
      'n/a',
      `${ms(report.allExpiredMs)}, ${count(report.expiredChanges)} changes`,
    ],
    both(
      'reserve requests at the go signal, outcomes',
      (phase) =>
        `${count(phase.requests)}: ${Object.entries(phase.outcomes)
          .map(([outcome, n]) => `${count(n)} ${outcome}`)
          .join(', ')}`,
    ),
    both(
      'acknowledgement p50 / p99 / max',
      (phase) => `${ms(phase.ack.p50)} / ${ms(phase.ack.p99)} / ${ms(phase.ack.max)}`,
    ),
    both(
      'committed / s (go → last commit)',
      (phase) => `${phase.committedPerSecond.toFixed(0)} (${ms(phase.commitSpanMs)})`,
    ),
    both('go → every socket has every change (reserves and expiries)', (phase) =>
      phase.sync.missing > 0
        ? `${count(phase.sync.missing)} socket × change never arrived`
        : ms(phase.everySocketHasEveryChangeMs),
    ),
    both(
      'versions; sockets dropped / out of order',
      (phase) => `${count(phase.versions)}; ${phase.sync.disconnected} / ${phase.sync.outOfOrder}`,
    ),
    both('cores used (go → last acknowledgement)', (phase) => cpuUse(phase.cpu)),
  ];
}

const EXPIRY_HEAD = ['metric', 'phase 2: no expiries', 'phase 3: same stampede, holds expiring'];

export function printExpiryTable(report: ExpiryReport): void {
  const rows = [EXPIRY_HEAD, ...expiryRows(report)];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join(' | '));
}

export function expiryMarkdownSection(report: ExpiryReport): string {
  const { start, end } = sectionMarkers(EXPIRY_SECTION);
  return [
    start,
    '## Holds expiring during a stampede (`pnpm bench:stampede`, phase 3)',
    '',
    `Same run as the stampede above (${report.date.toISOString()}, ${machine()}). Phase 3 repeats phase 2 (every socket reserves a ` +
      'distinct level at the same instant) while every hold phase 2 made runs out at that instant: their deadlines are moved to the go ' +
      "signal in the database beforehand (holds made one after another over seconds would otherwise run out over seconds too), and both replicas' sweepers " +
      "(`HOLD_SWEEP_MS` 1000) expire them, each event's due holds in one transaction and one `expired` change. Phase 2 is the baseline: " +
      'the same stampede without expiries. What limits it: the expiries are extra transactions on the same MariaDB and two cores.',
    '',
    `| ${EXPIRY_HEAD.join(' | ')} |`,
    `| ${EXPIRY_HEAD.map(() => '---').join(' | ')} |`,
    ...expiryRows(report).map((row) => `| ${row.join(' | ')} |`),
    '',
    end,
  ].join('\n');
}
