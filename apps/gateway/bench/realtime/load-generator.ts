/**
 * The load generator, a separate process so its event loop does not share a core with the
 * orchestrator: N socket clients split across the replicas, all joined to one event, recording
 * every `inventory:changed`; in project mode some of them reserve at a fixed rate. Driven over
 * IPC by realtime.bench.ts (plan → ready → go → load-done → drain → result).
 */
import { randomBytes } from 'node:crypto';
import type { EventSnapshot, InventoryChanged } from '@tickets/protocol';
import { connectSocket, type EventSocket } from '../../test/cluster/event-client';
import type { FromLoadGenerator, GeneratorResult, LoadPlan, ToLoadGenerator } from './load-messages';
import { LatencyHistogram, schedulerTickMs } from '../common/latency';
import { readProcKb } from '../../test/cluster/gateway-process';

/** A join or reserve acknowledgement slower than this counts as late. */
const ACK_TIMEOUT_MS = 20_000;
/** A reserve acknowledgement not here after this counts as never answered (keeps the run bounded). */
const ACK_GIVE_UP_MS = 180_000;

interface BenchClient {
  socket: EventSocket;
  joinVersion: number;
  /** Highest version received (or joined at). */
  lastVersion: number;
  /** One byte per version after joinVersion: received yet? Grows as versions arrive. */
  seen: Uint8Array;
  delivered: number;
  duplicates: number;
  outOfOrder: number;
  /** Set when the server dropped the socket (e.g. missed heartbeats); it gets nothing after that. */
  disconnectReason: string | null;
}

interface VersionStats {
  committedAt: number;
  received: number;
  lastReceivedAt: number;
}

function send(message: FromLoadGenerator): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

// Date.now(), the same clock the servers stamp committedAt with (performance.timeOrigin can be ms off).
const now = (): number => Date.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class LoadGenerator {
  private readonly clients: BenchClient[] = [];
  private readonly reservers: BenchClient[] = [];
  private readonly versions = new Map<number, VersionStats>();
  private readonly deliveries = new LatencyHistogram();
  private payloadBytes = 0;
  private payloadSamples = 0;
  /** Whole `inventory:changed` messages as sent (JSON of the payload), sampled on one client. */
  private messageBytes = 0;
  private messageSamples = 0;
  /** Latencies count from here on (set at go: the warm-up ends); loss, order and duplicates count throughout. */
  private measureFrom = Infinity;
  private messagesReceived = 0;
  private changesReceived = 0;
  private connectFailures = 0;
  private readonly reserve = {
    sent: 0,
    ok: 0,
    noAck: 0,
    late: 0,
    rejected: {} as Record<string, number>,
    ackLatencies: [] as number[],
    firstSentAt: 0,
    lastAckAt: 0,
  };
  private readonly acknowledged: GeneratorResult['acknowledged'] = [];

  constructor(readonly plan: LoadPlan) {}

  /** Connects and joins every client, a batch at a time so the servers see a ramp, not a stampede. */
  async connectAll(): Promise<void> {
    const started = Date.now();
    const { plan } = this;
    for (let first = 0; first < plan.clients; first += plan.connectBatchSize) {
      const batch: Promise<void>[] = [];
      for (let index = first; index < Math.min(plan.clients, first + plan.connectBatchSize); index += 1) {
        batch.push(this.connectClient(index));
      }
      await Promise.all([Promise.all(batch), sleep(plan.connectBatchIntervalMs)]);
    }
    await send({
      type: 'ready',
      connected: this.clients.length,
      failed: this.connectFailures,
      connectMs: Date.now() - started,
    });
  }

  private async connectClient(index: number): Promise<void> {
    const { plan } = this;
    const isReserver = index < plan.reserverTokens.length;
    const token = isReserver
      ? plan.reserverTokens[index]
      : (plan.listenerTokens[index % Math.max(1, plan.listenerTokens.length)] ?? '');
    const url = plan.urls[index % plan.urls.length];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        const socket = await connectSocket(url, token);
        const snapshot = await new Promise<EventSnapshot>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('join timed out')), ACK_TIMEOUT_MS);
          socket.emit('event:join', { eventId: plan.eventId }, (ack) => {
            clearTimeout(timer);
            if (ack.ok) resolve(ack.data);
            else reject(new Error(ack.error.code));
          });
        });
        const client: BenchClient = {
          socket,
          joinVersion: snapshot.version,
          lastVersion: snapshot.version,
          seen: new Uint8Array(1024),
          delivered: 0,
          duplicates: 0,
          outOfOrder: 0,
          disconnectReason: null,
        };
        socket.on('inventory:changed', (message) => {
          const receivedAt = now();
          const { changes } = message;
          this.messagesReceived += 1;
          this.changesReceived += changes.length;
          if (index === 0 && receivedAt >= this.measureFrom) {
            this.messageBytes += Buffer.byteLength(JSON.stringify(message));
            this.messageSamples += 1;
          }
          for (const change of changes) this.receive(client, change, receivedAt, index === 0);
        });
        socket.on('disconnect', (reason) => {
          if (reason !== 'io client disconnect') client.disconnectReason = reason;
        });
        this.clients.push(client);
        if (isReserver) this.reservers.push(client);
        return;
      } catch {
        await sleep(250 * attempt);
      }
    }
    this.connectFailures += 1;
  }

  private receive(
    client: BenchClient,
    change: InventoryChanged,
    receivedAt: number,
    samplePayload: boolean,
  ): void {
    const slot = change.version - client.joinVersion - 1;
    if (slot < 0 || client.seen[slot] === 1) {
      // A version the join snapshot already covered, or a second copy.
      client.duplicates += 1;
      return;
    }
    if (slot >= client.seen.length) {
      const grown = new Uint8Array(Math.max(slot + 1, client.seen.length * 2));
      grown.set(client.seen);
      client.seen = grown;
    }
    client.seen[slot] = 1;
    client.delivered += 1;
    if (change.version < client.lastVersion) client.outOfOrder += 1;
    else client.lastVersion = change.version;
    if (change.committedAt < this.measureFrom) return;
    this.deliveries.record(receivedAt - change.committedAt);
    let stats = this.versions.get(change.version);
    if (!stats) {
      stats = { committedAt: change.committedAt, received: 0, lastReceivedAt: 0 };
      this.versions.set(change.version, stats);
    }
    stats.received += 1;
    if (receivedAt > stats.lastReceivedAt) stats.lastReceivedAt = receivedAt;
    if (samplePayload) {
      this.payloadBytes += Buffer.byteLength(JSON.stringify(change));
      this.payloadSamples += 1;
    }
  }

  /** The load starts now: latencies count once the warm-up is over. */
  startClock(): void {
    this.measureFrom = now() + this.plan.warmupMs;
  }

  /** Project mode: reservations at a fixed rate, round-robin over the reserving clients. */
  async runReservations(): Promise<void> {
    const { plan, reserve } = this;
    const total = Math.round((plan.reservesPerSecond * (plan.warmupMs + plan.durationMs)) / 1000);
    if (this.reservers.length === 0 || total === 0) return;
    const runId = randomBytes(3).toString('hex');
    const pending: Promise<void>[] = [];
    const started = performance.now();
    reserve.firstSentAt = now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(
          total,
          Math.floor(((performance.now() - started) * plan.reservesPerSecond) / 1000),
        );
        while (reserve.sent < due) pending.push(this.reserveOne(reserve.sent, runId));
        if (reserve.sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, schedulerTickMs(plan.reservesPerSecond));
    });
    await Promise.all(pending);
  }

  private reserveOne(index: number, runId: string): Promise<void> {
    const { plan, reserve } = this;
    reserve.sent += 1;
    const client = this.reservers[index % this.reservers.length];
    const level = plan.levels[Math.floor(Math.random() * plan.levels.length)];
    const sentAt = now();
    return new Promise((resolve) => {
      let gaveUp = false;
      const late = setTimeout(() => (reserve.late += 1), ACK_TIMEOUT_MS);
      const giveUp = setTimeout(() => {
        gaveUp = true;
        reserve.noAck += 1;
        resolve();
      }, ACK_GIVE_UP_MS);
      client.socket.emit(
        'reserve',
        { eventId: plan.eventId, level, requestId: `bench-${runId}-${index}` },
        (ack) => {
          clearTimeout(late);
          clearTimeout(giveUp);
          // An answer after the give-up bound (during the drain) still counts, and joins the audit.
          if (gaveUp) reserve.noAck -= 1;
          const ackedAt = now();
          if (sentAt >= this.measureFrom) reserve.ackLatencies.push(ackedAt - sentAt);
          if (ackedAt > reserve.lastAckAt) reserve.lastAckAt = ackedAt;
          if (ack.ok) {
            reserve.ok += 1;
            this.acknowledged.push({ id: ack.data.id, ticketIds: ack.data.ticketIds });
          } else {
            reserve.rejected[ack.error.code] = (reserve.rejected[ack.error.code] ?? 0) + 1;
          }
          resolve();
        },
      );
    });
  }

  /** Waits (bounded) until every client has seen `finalVersion`, then tallies. */
  async drain(finalVersion: number, timeoutMs: number): Promise<GeneratorResult> {
    const deadline = Date.now() + timeoutMs;
    const missing = (client: BenchClient): number => {
      let received = 0;
      for (let slot = 0; slot < Math.min(client.seen.length, finalVersion - client.joinVersion); slot += 1)
        received += client.seen[slot];
      return Math.max(0, finalVersion - client.joinVersion - received);
    };
    const connected = (client: BenchClient): boolean => client.disconnectReason === null;
    while (Date.now() < deadline && this.clients.some((client) => connected(client) && missing(client) > 0))
      await sleep(100);

    // A dropped socket is a client that must reconnect and resynchronise by version, not a lost
    // broadcast: counted apart, with what it missed.
    let disconnected = 0;
    let missedWhileDisconnected = 0;
    const disconnectReasons: Record<string, number> = {};
    for (const client of this.clients) {
      if (connected(client)) continue;
      disconnected += 1;
      missedWhileDisconnected += missing(client);
      const reason = client.disconnectReason ?? 'unknown';
      disconnectReasons[reason] = (disconnectReasons[reason] ?? 0) + 1;
    }

    let messagesLost = 0;
    let messagesOutOfOrder = 0;
    let messagesDuplicated = 0;
    let lowestJoin = finalVersion;
    for (const client of this.clients) {
      if (connected(client)) messagesLost += missing(client);
      messagesOutOfOrder += client.outOfOrder;
      messagesDuplicated += client.duplicates;
      lowestJoin = Math.min(lowestJoin, client.joinVersion);
    }
    const versions: GeneratorResult['versions'] = [];
    for (const [version, stats] of this.versions) {
      if (version > finalVersion) continue;
      const audience = this.clients.filter(
        (client) => client.joinVersion < version && (connected(client) || client.lastVersion >= version),
      ).length;
      versions.push([version, stats.committedAt, stats.received, stats.lastReceivedAt, audience]);
    }
    const { reserve } = this;
    for (const client of this.clients) client.socket.close();
    return {
      clients: this.clients.length,
      connectFailures: this.connectFailures,
      lowestJoin,
      versions,
      deliveries: this.deliveries.entries(),
      messagesLost,
      disconnected,
      disconnectReasons,
      missedWhileDisconnected,
      messagesOutOfOrder,
      messagesDuplicated,
      payloadBytes: this.payloadBytes,
      payloadSamples: this.payloadSamples,
      messageBytes: this.messageBytes,
      messageSamples: this.messageSamples,
      messagesReceived: this.messagesReceived,
      changesReceived: this.changesReceived,
      reserve: { ...reserve },
      acknowledged: this.acknowledged,
      peakRssKb: readProcKb(process.pid, 'VmHWM') ?? 0,
    };
  }
}

let generator: LoadGenerator | null = null;

process.on('message', (message: ToLoadGenerator) => {
  void (async () => {
    try {
      if (message.type === 'plan') {
        generator = new LoadGenerator(message.plan);
        await generator.connectAll();
      } else if (message.type === 'go') {
        generator?.startClock();
        if (generator?.plan.mode === 'project') await generator.runReservations();
        await send({ type: 'load-done' });
      } else if (message.type === 'drain' && generator) {
        await send({
          type: 'result',
          result: await generator.drain(message.finalVersion, message.timeoutMs),
        });
        process.exit(0);
      }
    } catch (error) {
      await send({ type: 'error', message: (error as Error).stack ?? String(error) });
      process.exit(1);
    }
  })();
});

// The orchestrator going away (crash, Ctrl-C) must not leave thousands of sockets behind.
process.on('disconnect', () => process.exit(0));
// A clean exit on SIGTERM too, so a BENCH_CPU_PROF profile gets written.
process.on('SIGTERM', () => process.exit(0));
