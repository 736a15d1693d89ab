import { randomBytes } from 'node:crypto';
import { eventRoom, roomShardOf } from './realtime.service';

describe('event room shards', () => {
  it('puts a socket in the same shard every time, within range', () => {
    const id = randomBytes(15).toString('base64url');
    expect(roomShardOf(id, 8)).toBe(roomShardOf(id, 8));
    for (const shards of [1, 3, 8]) expect(roomShardOf(id, shards)).toBeLessThan(shards);
    expect(eventRoom(7, roomShardOf(id, 1))).toBe('event:7#0');
  });

  it('spreads random socket ids evenly over the shards', () => {
    const counts = new Array<number>(8).fill(0);
    for (let index = 0; index < 8000; index += 1) counts[roomShardOf(randomBytes(15).toString('base64url'), 8)] += 1;
    // 1,000 expected per shard; a share off by more than 20% would make one shard's hand-over a bottleneck.
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });
});
