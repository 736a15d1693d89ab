/**
 * Socket.IO rooms. An event's sockets are split into shard rooms (see FanOut);
 * every socket is in its user's room (so a user is told things on every tab and replica), and
 * sockets that watch the events list are in the lobby.
 */

/** The room of one shard of an event's sockets. */
export const eventRoom = (eventId: number, shard: number): string => `event:${eventId}#${shard}`;

/** The event an event room belongs to, or null for any other room. */
export function eventOfRoom(room: string): number | null {
  const match = /^event:(\d+)#\d+$/.exec(room);
  return match ? Number(match[1]) : null;
}

/** The shard of a socket, the same for every event: an FNV-1a hash of its id, so shards fill evenly. */
export function roomShardOf(socketId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < socketId.length; index += 1)
    hash = Math.imul(hash ^ socketId.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % shards;
}

/** Every socket of one user. */
export const userRoom = (userId: number): string => `user:${userId}`;

/** Sockets that receive `events:changed`. */
export const LOBBY_ROOM = 'lobby';
