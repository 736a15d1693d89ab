import { IndexExecutor } from './index-executor';
import type { IndexCommand, IndexReply } from './index-messages';

/** Runs a command and returns its value, failing the test on an error reply. */
function run(executor: IndexExecutor, command: IndexCommand): unknown {
  const reply: IndexReply = executor.execute(command);
  if (!reply.ok) throw new Error(`${reply.kind}: ${reply.message}`);
  return reply.value;
}

const hold = (executor: IndexExecutor, level: number, avoid: number[] = []): number[] | null => {
  const answer = run(executor, {
    kind: 'combo',
    eventId: 1,
    level,
    hold: true,
    avoid: Float64Array.from(avoid),
    spread: 0,
  }) as {
    ticketIds: Float64Array | null;
  };
  return answer.ticketIds && Array.from(answer.ticketIds);
};

describe('IndexExecutor holds', () => {
  function loaded(): IndexExecutor {
    const executor = new IndexExecutor();
    // Three fives and a two and a three: level 5 can be made four ways.
    run(executor, {
      kind: 'load',
      eventId: 1,
      version: 0,
      ids: Float64Array.from([1, 2, 3, 4, 5]),
      values: Float64Array.from([5, 5, 5, 2, 3]),
    });
    return executor;
  }

  it('hands out disjoint combinations while earlier ones are held, then none', () => {
    const executor = loaded();
    const taken = [hold(executor, 5), hold(executor, 5), hold(executor, 5), hold(executor, 5)];
    expect(taken).toEqual([[1], [2], [3], [4, 5]]);
    expect(hold(executor, 5)).toBeNull();
    // A plain combination (for showing) ignores holds.
    expect(
      run(executor, {
        kind: 'combo',
        eventId: 1,
        level: 5,
        hold: false,
        avoid: new Float64Array(0),
        spread: 0,
      }),
    ).toMatchObject({ version: 0 });
  });

  it('gives back released tickets, forgets committed ones, and avoids what the caller names', () => {
    const executor = loaded();
    expect(hold(executor, 5)).toEqual([1]);
    expect(hold(executor, 5)).toEqual([2]);
    run(executor, { kind: 'release', eventId: 1, ticketIds: Float64Array.from([1]) });
    expect(hold(executor, 5)).toEqual([1]);
    // Ticket 2 commits: the apply removes it from the index and from the holds.
    run(executor, {
      kind: 'apply',
      eventId: 1,
      changes: [
        {
          version: 1,
          removed: Float64Array.from([2]),
          addedIds: new Float64Array(0),
          addedValues: new Float64Array(0),
        },
      ],
    });
    expect(hold(executor, 5, [3])).toEqual([4, 5]);
    expect(hold(executor, 5)).toEqual([3]);
  });
});
