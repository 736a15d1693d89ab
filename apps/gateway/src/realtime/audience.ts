import { Injectable, Logger } from '@nestjs/common';
import type { EventAudience } from '@tickets/protocol';
import { AppConfig } from '../config/app-config';
import { eventOfRoom } from './rooms';
import { SocketServer } from './socket-server';

/** Who is connected to which event on one replica: user ids and a socket count per event. */
export type ReplicaAudience = { eventId: number; userIds: number[]; sockets: number }[];

/**
 * Counts the users and sockets joined to each event, across every replica: each replica counts
 * its own sockets, and the others answer through the Redis adapter (serverSideEmit). A user on two
 * replicas counts once.
 */
@Injectable()
export class Audience {
  private readonly logger = new Logger('Audience');

  constructor(
    private readonly sockets: SocketServer,
    private readonly config: AppConfig,
  ) {}

  /** The other replicas' answers, as many as come before the adapter's request timeout. */
  private otherReplicas(): Promise<ReplicaAudience[]> {
    const server = this.sockets.server;
    if (!server || this.config.redisUrl === null) return Promise.resolve([]);
    return new Promise((resolve) => {
      server.serverSideEmit('audience', (error: Error | null, answers: ReplicaAudience[]) => {
        if (error) this.logger.warn(`not every replica told its audience: ${error.message}`);
        resolve(answers ?? []);
      });
    });
  }

  /** This replica's sockets. */
  local(): ReplicaAudience {
    const server = this.sockets.server;
    if (!server) return [];
    const byEvent = new Map<number, { userIds: Set<number>; sockets: number }>();
    for (const socket of server.of('/').sockets.values()) {
      for (const room of socket.rooms) {
        const eventId = eventOfRoom(room);
        if (eventId === null) continue;
        const counts = byEvent.get(eventId) ?? { userIds: new Set<number>(), sockets: 0 };
        counts.userIds.add(socket.data.principal.userId);
        counts.sockets += 1;
        byEvent.set(eventId, counts);
      }
    }
    return [...byEvent].map(([eventId, { userIds, sockets }]) => ({
      eventId,
      userIds: [...userIds],
      sockets,
    }));
  }

  /** Every replica's sockets, summed; replicas that do not answer in time are left out (and logged). */
  async everywhere(): Promise<EventAudience[]> {
    const answers: ReplicaAudience[] = [this.local(), ...(await this.otherReplicas())];
    const merged = new Map<number, { users: Set<number>; sockets: number }>();
    for (const answer of answers) {
      for (const { eventId, userIds, sockets } of answer) {
        const counts = merged.get(eventId) ?? { users: new Set<number>(), sockets: 0 };
        for (const userId of userIds) counts.users.add(userId);
        counts.sockets += sockets;
        merged.set(eventId, counts);
      }
    }
    return [...merged]
      .sort(([a], [b]) => a - b)
      .map(([eventId, { users, sockets }]) => ({ eventId, users: users.size, sockets }));
  }
}
