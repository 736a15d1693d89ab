import { KeyedMutex } from './keyed-mutex';

/** A promise the test resolves when it chooses: the end of a task. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('KeyedMutex', () => {
  it('serialises tasks of one key in call order, even when one fails, and runs other keys alongside', async () => {
    const mutex = new KeyedMutex<number>();
    const log: string[] = [];
    const step =
      (name: string, end: Promise<void>, fail = false) =>
      async () => {
        log.push(`${name}+`);
        await end;
        log.push(`${name}-`);
        if (fail) throw new Error(name);
        return name;
      };
    const [a, b, c] = [gate(), gate(), gate()];
    const first = mutex.run(1, step('a', a.opened, true));
    const second = mutex.run(1, step('b', b.opened));
    const other = mutex.run(2, step('c', c.opened));
    // Key 2 runs and ends while key 1's first task is still under way, and its second has not started.
    c.open();
    await expect(other).resolves.toBe('c');
    expect(log).toEqual(['a+', 'c+', 'c-']);
    // The failed task lets the next one of its key start.
    a.open();
    await expect(first).rejects.toThrow('a');
    b.open();
    await expect(second).resolves.toBe('b');
    expect(log).toEqual(['a+', 'c+', 'c-', 'a-', 'b+', 'b-']);
  });
});
