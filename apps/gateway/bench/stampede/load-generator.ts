/**
 * bench:stampede's load generator, a process of its own (several share the sockets): socket.io
 * clients spread over the replicas, all joined to one event, each recording when it received
 * every version. On `reserve` every socket sends one `reserve` at the same instant and the
 * acknowledgements are collected; on `sync` it reports when the last socket had every version of
 * a range. Driven over IPC by stampede.bench.ts.
 */
import { randomBytes } from 'node:crypto';
import type { EventSnapshot } from '@tickets/protocol';
import { connectSocket, type EventSocket } from '../../test/cluster/event-client';
import type {
  FromGenerator,
  PhaseAnswers,
  ReserveAnswer,
  StampedePlan,
  SyncResult,
  ToGenerator,
} from './messages';

/** A reserve acknowledgement not here after this counts as never answered (keeps the run bounded). */
const ACK_GIVE_UP_MS = 120_000;
const JOIN_TIMEOUT_MS = 20_000;

interface StampedeSocket {
  socket: EventSocket;
  joinVersion: number;
  lastVersion: number;
  /** Epoch ms at which version joinVersion + 1 + slot arrived; 0 until it has. Grows as versions arrive. */
  receivedAt: Float64Array;
  outOfOrder: number;
  disconnected: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function send(message: FromGenerator): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

class StampedeGenerator {
  /** In plan order (`levels[i]` of a reserve message is socket i's); null where connecting failed. */
  private readonly sockets: (StampedeSocket | null)[];
  private failed = 0;
  private messages = 0;

  constructor(private readonly plan: StampedePlan) {
    this.sockets = plan.tokens.map(() => null);
  }

  private connected(): StampedeSocket[] {
    return this.sockets.filter((entry): entry is StampedeSocket => entry !== null);
  }

  async connectAll(): Promise<void> {
    const { plan } = this;
    for (let first = 0; first < plan.tokens.length; first += plan.connectBatchSize) {
      const batch: Promise<void>[] = [];
      for (
        let index = first;
        index < Math.min(plan.tokens.length, first + plan.connectBatchSize);
        index += 1
      ) {
        batch.push(this.connect(index));
      }
      await Promise.all([Promise.all(batch), sleep(plan.connectBatchIntervalMs)]);
    }
    const connected = this.connected();
    const lowestJoinVersion = Math.min(...connected.map((entry) => entry.joinVersion));
    await send({ type: 'ready', connected: connected.length, failed: this.failed, lowestJoinVersion });
  }

  private async connect(index: number): Promise<void> {
    const { plan } = this;
    const url = plan.urls[(plan.firstSocket + index) % plan.urls.length];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        const socket = await connectSocket(url, plan.tokens[index]);
        const snapshot = await new Promise<EventSnapshot>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('join timed out')), JOIN_TIMEOUT_MS);
          socket.emit('event:join', { eventId: plan.eventId }, (ack) => {
            clearTimeout(timer);
            if (ack.ok) resolve(ack.data);
            else reject(new Error(ack.error.code));
          });
        });
        const entry: StampedeSocket = {
          socket,
          joinVersion: snapshot.version,
          lastVersion: snapshot.version,
          receivedAt: new Float64Array(256),
          outOfOrder: 0,
          disconnected: false,
        };
        socket.on('inventory:changed', ({ changes }) => {
          const now = Date.now();
          this.messages += 1;
          for (const change of changes) this.receive(entry, change.version, now);
        });
        socket.on('disconnect', (reason) => {
          if (reason !== 'io client disconnect') entry.disconnected = true;
        });
        this.sockets[index] = entry;
        return;
      } catch {
        await sleep(250 * attempt);
      }
    }
    this.failed += 1;
  }

  private receive(entry: StampedeSocket, version: number, now: number): void {
    const slot = version - entry.joinVersion - 1;
    if (slot < 0) return;
    if (slot >= entry.receivedAt.length) {
      const grown = new Float64Array(Math.max(slot + 1, entry.receivedAt.length * 2));
      grown.set(entry.receivedAt);
      entry.receivedAt = grown;
    }
    if (entry.receivedAt[slot] === 0) entry.receivedAt[slot] = now;
    if (version < entry.lastVersion) entry.outOfOrder += 1;
    else entry.lastVersion = version;
  }

  /** Every socket sends its reserve at `goAt`, in one synchronous loop; resolves when all are answered (or given up). */
  async reserve(phase: string, goAt: number, levels: number[]): Promise<PhaseAnswers> {
    const { plan } = this;
    const runId = randomBytes(3).toString('hex');
    await sleep(Math.max(0, goAt - Date.now()));
    const firstSentAt = Date.now();
    let lastAckAt = firstSentAt;
    const pending = this.sockets.map(
      (entry, index) =>
        new Promise<ReserveAnswer>((resolve) => {
          if (!entry) return resolve({ outcome: 'not connected', ackMs: NaN, reservation: null });
          const sentAt = performance.now();
          const giveUp = setTimeout(
            () => resolve({ outcome: 'no answer', ackMs: NaN, reservation: null }),
            ACK_GIVE_UP_MS,
          );
          const request = {
            eventId: plan.eventId,
            level: levels[index],
            requestId: `stampede-${phase}-${runId}-${index}`,
          };
          entry.socket.emit('reserve', request, (ack) => {
            clearTimeout(giveUp);
            const ackMs = performance.now() - sentAt;
            lastAckAt = Math.max(lastAckAt, Date.now());
            resolve(
              ack.ok
                ? { outcome: 'ok', ackMs, reservation: { id: ack.data.id, ticketIds: ack.data.ticketIds } }
                : { outcome: ack.error.code, ackMs, reservation: null },
            );
          });
        }),
    );
    const answers = await Promise.all(pending);
    return { answers, firstSentAt, lastAckAt };
  }

  /** Waits (bounded) until every connected socket has every version in (from, to]; then when the last one had it. */
  async sync(fromVersion: number, toVersion: number, timeoutMs: number): Promise<SyncResult> {
    const deadline = Date.now() + timeoutMs;
    const missingOf = (entry: StampedeSocket): number => {
      let missing = 0;
      for (let version = Math.max(fromVersion, entry.joinVersion) + 1; version <= toVersion; version += 1) {
        const slot = version - entry.joinVersion - 1;
        if (slot >= entry.receivedAt.length || entry.receivedAt[slot] === 0) missing += 1;
      }
      return missing;
    };
    const live = (): StampedeSocket[] => this.connected().filter((entry) => !entry.disconnected);
    while (Date.now() < deadline && live().some((entry) => missingOf(entry) > 0)) await sleep(20);
    let completeAt = 0;
    let missing = 0;
    for (const entry of live()) {
      missing += missingOf(entry);
      for (let version = Math.max(fromVersion, entry.joinVersion) + 1; version <= toVersion; version += 1) {
        const slot = version - entry.joinVersion - 1;
        if (slot < entry.receivedAt.length) completeAt = Math.max(completeAt, entry.receivedAt[slot]);
      }
    }
    const present = this.connected();
    return {
      completeAt,
      missing,
      disconnected: present.filter((entry) => entry.disconnected).length,
      outOfOrder: present.reduce((total, entry) => total + entry.outOfOrder, 0),
      messages: this.messages,
    };
  }
}

let generator: StampedeGenerator | null = null;

process.on('message', (message: ToGenerator) => {
  void (async () => {
    try {
      if (message.type === 'plan') {
        generator = new StampedeGenerator(message.plan);
        await generator.connectAll();
      } else if (message.type === 'reserve' && generator) {
        await send({
          type: 'answers',
          answers: await generator.reserve(message.phase, message.goAt, message.levels),
        });
      } else if (message.type === 'sync' && generator) {
        await send({
          type: 'synced',
          result: await generator.sync(message.fromVersion, message.toVersion, message.timeoutMs),
        });
      }
    } catch (error) {
      await send({ type: 'error', message: (error as Error).stack ?? String(error) });
      process.exit(1);
    }
  })();
});

// The orchestrator going away (crash, Ctrl-C) must not leave sockets behind.
process.on('disconnect', () => process.exit(0));
// A clean exit on SIGTERM too, so a BENCH_CPU_PROF profile gets written.
process.on('SIGTERM', () => process.exit(0));
