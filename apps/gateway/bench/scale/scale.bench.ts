/**
 * `pnpm bench:scale`: does a second replica add capacity? One run measures, with one replica and
 * then with two, both behind the same nginx (deploy/nginx.conf.template, as in production):
 * committed reservations per second from closed-loop reservers, and how long each committed change
 * takes to reach every listening socket (fan-out p99), and prints the two-to-one ratio. See
 * README.md beside this file.
 */
import { cpus, loadavg } from 'node:os';
import type { InventoryChanged, ReservationView } from '@tickets/protocol';
import { ApiClient } from '../../test/cluster/api-client';
import { auditBookings } from '../../test/cluster/booking-audit';
import { connectSocket, unwrap, type EventSocket } from '../../test/cluster/event-client';
import { GatewayCluster } from '../../test/cluster/gateway-cluster';
import { freePort } from '../../test/cluster/gateway-process';
import { NginxBalancer } from '../../test/topology/nginx-balancer';
import { machine, writeSection } from '../common/benchmarks-doc';
import { summarize, type LatencySummary } from '../common/latency';
import { Cleanups, logger, runBenchmark, setting, sleep } from '../common/run';

const settings = {
  /** Sockets that only listen to the event (the fan-out's audience). */
  listeners: setting('BENCH_LISTENERS', 200),
  /** Sockets that reserve in a closed loop (each sends its next reserve when the last is answered). */
  reservers: setting('BENCH_RESERVERS', 40),
  tickets: setting('BENCH_TICKETS', 20_000),
  /** Measured seconds per configuration, after a warm-up. */
  seconds: setting('BENCH_SECONDS', 20),
  warmupSeconds: setting('BENCH_WARMUP_SECONDS', 3),
};
const redisDb = setting('BENCH_REDIS_DB', 15);
const timeoutS = setting('BENCH_TIMEOUT_S', 600);
const writeDoc = process.env.BENCH_WRITE !== '0';
const SECTION = 'scale';

const cleanups = new Cleanups();
const log = logger('bench:scale');

interface Measurement {
  replicas: number;
  committed: number;
  perSecond: number;
  refused: number;
  ack: LatencySummary;
  fanOut: LatencySummary;
  deliveries: number;
  missing: number;
}

/** One configuration: a fresh database, `replicas` gateway processes, nginx in front, load through nginx only. */
async function measure(replicas: number): Promise<Measurement> {
  const local = new Cleanups();
  cleanups.add(() => local.run());
  try {
    const cluster = await GatewayCluster.start({ owner: 'bench_scale', replicas, redisDb });
    local.add(() => cluster.stop());
    const balancer = await NginxBalancer.start(
      await freePort(),
      cluster.replicas.map((replica) => new URL(replica.url).host),
    );
    local.add(() => balancer.stop());
    const api = new ApiClient(balancer.url);
    const admin = api.withToken((await api.login(cluster.admin.email, cluster.admin.password)).accessToken);
    const event = await admin.createEvent(`scale ${replicas}`);
    await admin.bulkCreateTickets(event.id, { count: settings.tickets, minValue: 1, maxValue: 100 });
    const levels = (await admin.levels(event.id, 0, 500)).rows.map((row) => row.level);

    const users = await Promise.all(
      Array.from({ length: settings.reservers }, (_, index) => api.registerAttendee(`scale${index}`)),
    );
    const connect = async (token: string): Promise<EventSocket> => {
      const socket = await connectSocket(balancer.url, token);
      local.add(async () => void socket.close());
      unwrap(await socket.emitWithAck('event:join', { eventId: event.id }));
      return socket;
    };
    // When each listener received each change, by the change's first ticket (one active reservation holds it).
    const receivedAt: Map<number, number>[] = [];
    for (let index = 0; index < settings.listeners; index += 1) {
      const socket = await connect(users[index % users.length].accessToken);
      const seen = new Map<number, number>();
      receivedAt.push(seen);
      socket.on('inventory:changed', ({ changes }: { changes: InventoryChanged[] }) => {
        const now = performance.now();
        for (const change of changes) if (change.cause === 'reserved') seen.set(change.ticketIds[0], now);
      });
    }
    const reservers = await Promise.all(users.map((user) => connect(user.accessToken)));
    log(
      `${replicas} replica(s): ${settings.listeners} listeners and ${settings.reservers} reservers connected through nginx`,
    );

    const sent = new Map<number, number>(); // first ticket → when its reserve was sent
    const acknowledged: ReservationView[] = [];
    const ackMs: number[] = [];
    let refused = 0;
    const startedAt = performance.now();
    const measureFrom = startedAt + settings.warmupSeconds * 1000;
    const stopAt = measureFrom + settings.seconds * 1000;
    let committedInWindow = 0;
    await Promise.all(
      reservers.map(async (socket, index) => {
        for (let attempt = 0; performance.now() < stopAt; attempt += 1) {
          const level = levels[(index * 7 + attempt) % levels.length];
          const at = performance.now();
          const ack = await socket
            .timeout(30_000)
            .emitWithAck('reserve', { eventId: event.id, level, requestId: `s${index}-${attempt}` });
          const now = performance.now();
          if (!ack.ok) {
            refused += 1;
            continue;
          }
          acknowledged.push(ack.data);
          if (at >= measureFrom && now <= stopAt) {
            committedInWindow += 1;
            ackMs.push(now - at);
            sent.set(ack.data.ticketIds[0], at);
          }
        }
      }),
    );
    // Let the last changes arrive before counting deliveries.
    await sleep(2_000);

    const fanOutMs: number[] = [];
    let missing = 0;
    for (const [ticket, at] of sent) {
      let latest = 0;
      for (const seen of receivedAt) {
        const received = seen.get(ticket);
        if (received === undefined) missing += 1;
        else latest = Math.max(latest, received - at);
      }
      // The change reached its last socket this long after its reserve was sent.
      fanOutMs.push(latest);
    }
    const audit = await auditBookings(cluster.database, event.id, acknowledged);
    if (audit.doubleBookedTickets.length > 0 || audit.lostReservations.length > 0) {
      throw new Error(`audit failed: ${JSON.stringify(audit)}`);
    }
    return {
      replicas,
      committed: committedInWindow,
      perSecond: committedInWindow / settings.seconds,
      refused,
      ack: summarize(ackMs),
      fanOut: summarize(fanOutMs),
      deliveries: sent.size * receivedAt.length - missing,
      missing,
    };
  } finally {
    await local.run();
  }
}

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '—');

function table(results: Measurement[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.replicas} | ${r.perSecond.toFixed(1)} | ${r.committed} | ${ms(r.ack.p50)} / ${ms(r.ack.p99)} | ${ms(r.fanOut.p50)} / ${ms(r.fanOut.p99)} | ${r.deliveries} | ${r.missing} |`,
  );
  return [
    '| replicas behind nginx | committed / s | committed | ack p50 / p99 | fan-out p50 / p99 (send → last socket) | deliveries | missing |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

runBenchmark('bench:scale', timeoutS, cleanups, async () => {
  const loadBefore = loadavg()[0];
  log(`machine: ${machine()}; load average ${loadBefore.toFixed(2)}`);
  const one = await measure(1);
  log(`one replica: ${one.perSecond.toFixed(1)} committed/s, fan-out p99 ${ms(one.fanOut.p99)}`);
  const two = await measure(2);
  log(`two replicas: ${two.perSecond.toFixed(1)} committed/s, fan-out p99 ${ms(two.fanOut.p99)}`);
  const ratio = two.perSecond / one.perSecond;
  const loadAfter = loadavg()[0];
  const cores = cpus().length;
  const coresNote =
    `On this ${cores}-core machine the ratio is capped by the cores, not by the design: nginx, MariaDB, Redis, ` +
    `the load generator (this process) and every replica share them, so a second replica mostly competes for the same CPU.`;
  const result = table([one, two]);
  console.log(`\n${result}\n\nthroughput ratio, two replicas to one: ${ratio.toFixed(2)}× — ${coresNote}\n`);
  if (!writeDoc) return;
  writeSection(
    SECTION,
    [
      `<!-- ${SECTION}:start -->`,
      '## Scale: one replica against two, behind nginx (`pnpm bench:scale`)',
      '',
      `Machine: ${machine()}. Load average ${loadBefore.toFixed(2)} at the start, ${loadAfter.toFixed(2)} at the end (the machine is shared).`,
      '',
      `${settings.reservers} sockets reserve in a closed loop (the next reserve when the last is answered) for ${settings.seconds} s after a ${settings.warmupSeconds} s warm-up, ` +
        `while ${settings.listeners} more sockets listen to the event; every socket connects through nginx (deploy/nginx.conf.template), ` +
        `on a fresh MariaDB database and Redis; an event of ${settings.tickets.toLocaleString('en')} tickets. Fan-out: from a reserve's send to its change reaching the last listener.`,
      '',
      result,
      '',
      `**Two replicas to one: ${ratio.toFixed(2)}× the committed reservations per second.** ${coresNote}`,
      `<!-- ${SECTION}:end -->`,
    ].join('\n'),
  );
  log('docs/benchmarks.md updated');
});
