import { InFlight } from './in-flight';

/** Records which of the promises have resolved, after pending microtasks ran. */
async function resolvedOf(promises: Record<string, Promise<void>>): Promise<string[]> {
  const resolved: string[] = [];
  for (const [name, promise] of Object.entries(promises)) void promise.then(() => resolved.push(name));
  await new Promise((resolve) => setImmediate(resolve));
  return resolved.sort();
}

describe('InFlight', () => {
  it('is settled at once when nothing is in flight', async () => {
    const inFlight = new InFlight<string>();
    expect(await resolvedOf({ all: inFlight.settled(), socket: inFlight.socketSettled('a') })).toEqual([
      'all',
      'socket',
    ]);
  });

  it('settles a socket when its last message is acknowledged, and everything when requests are answered too', async () => {
    const inFlight = new InFlight<string>();
    const firstOfA = inFlight.message('a');
    const secondOfA = inFlight.message('a');
    const ofB = inFlight.message('b');
    const request = inFlight.request();
    const waits = { a: inFlight.socketSettled('a'), b: inFlight.socketSettled('b'), all: inFlight.settled() };
    expect(inFlight.pendingMessages).toBe(3);

    firstOfA();
    firstOfA(); // a second call is not a second acknowledgement
    expect(await resolvedOf(waits)).toEqual([]);
    secondOfA();
    expect(await resolvedOf(waits)).toEqual(['a']);
    ofB();
    expect(await resolvedOf(waits)).toEqual(['a', 'b']);
    expect(inFlight.pendingRequests).toBe(1);
    request();
    expect(await resolvedOf(waits)).toEqual(['a', 'all', 'b']);
  });

  it('lets a socket that went away with messages unanswered settle', async () => {
    const inFlight = new InFlight<string>();
    const late = inFlight.message('a');
    const waits = { a: inFlight.socketSettled('a'), all: inFlight.settled() };
    inFlight.forget('a');
    expect(await resolvedOf(waits)).toEqual(['a', 'all']);
    late(); // an acknowledgement after the socket left changes nothing
    expect(inFlight.pendingMessages).toBe(0);
  });
});
