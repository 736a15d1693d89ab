/**
 * The baseline: a bare Socket.IO server with @socket.io/redis-adapter over ioredis, no NestJS, no
 * database, no auth. Two of these stand in for the two replicas; the orchestrator tells one of
 * them (alternating) to broadcast a message shaped like the gateway's (several consecutive
 * changes, the project's mean message size) to the room, at the rate the gateway sent messages,
 * and clients measure committedAt → receipt exactly as they do against the gateway.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Server } from 'socket.io';
import type {
  ClientToServerEvents,
  InventoryChanged,
  InventoryChangedMessage,
  ServerToClientEvents,
} from '@tickets/protocol';
import type { FromBaselineServer, ToBaselineServer } from './load-messages';

const port = Number(process.env.PORT);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const adapterKey = process.env.ADAPTER_KEY ?? 'bench-baseline';

function roomOf(eventId: number): string {
  return `event:${eventId}`;
}

/** A change-shaped payload whose JSON is about `bytes` long (ticket ids of five characters each). */
function changeOf(eventId: number, version: number, bytes: number, committedAt: number): InventoryChanged {
  const change: InventoryChanged = {
    eventId,
    version,
    cause: 'reserved',
    ticketIds: [],
    ticketCount: 1,
    levelCount: 4_999_000,
    totalTickets: 10_000,
    availableTickets: 9_000,
    committedAt,
  };
  const missing = bytes - Buffer.byteLength(JSON.stringify(change));
  for (let index = 0; index < Math.max(0, Math.round(missing / 5)); index += 1)
    change.ticketIds.push(1000 + index);
  return change;
}

/**
 * The message a coalescing server sends every `intervalMs`: the changes committed since its last
 * message, as if they came evenly spread over that interval (the last one just now), so that
 * committedAt → receipt counts the same wait for the next message as the gateway's.
 */
function messageOf(request: ToBaselineServer): InventoryChangedMessage {
  const sentAt = Date.now();
  const changes: InventoryChanged[] = [];
  for (let index = 0; index < request.changes; index += 1) {
    const committedAt = Math.round(
      sentAt - (request.intervalMs * (request.changes - index - 0.5)) / request.changes,
    );
    changes.push(changeOf(request.eventId, request.firstVersion + index, request.changeBytes, committedAt));
  }
  return { eventId: request.eventId, changes };
}

async function main(): Promise<void> {
  const pub = new Redis(redisUrl);
  const sub = pub.duplicate();
  const httpServer = createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    path: '/socket.io',
    transports: ['websocket'],
    adapter: createAdapter(pub, sub, { key: adapterKey }),
  });
  let lastVersion = 0;
  io.on('connection', (socket) => {
    socket.on('event:join', (request, ack) => {
      void socket.join(roomOf(request.eventId));
      ack({
        ok: true,
        data: {
          eventId: request.eventId,
          version: lastVersion,
          levelCount: 0,
          totalTickets: 0,
          availableTickets: 0,
        },
      });
    });
  });
  process.on('message', (message: ToBaselineServer) => {
    if (message.type !== 'broadcast') return;
    lastVersion = message.firstVersion + message.changes - 1;
    io.to(roomOf(message.eventId)).emit('inventory:changed', messageOf(message));
  });
  process.on('disconnect', () => process.exit(0));
  // A clean exit on SIGTERM too, so a BENCH_CPU_PROF profile gets written.
  process.on('SIGTERM', () => process.exit(0));
  await new Promise<void>((resolve) => httpServer.listen(port, '127.0.0.1', resolve));
  process.send?.({ type: 'listening', port } satisfies FromBaselineServer);
}

main().catch((error: Error) => {
  process.send?.({ type: 'error', message: error.stack ?? String(error) } satisfies FromBaselineServer);
  process.exit(1);
});
