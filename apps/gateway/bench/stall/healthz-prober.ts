/**
 * bench:stall's /healthz prober, a process of its own so that its clock never waits for the load
 * the orchestrator sends: `GET /api/healthz` back to back on one keep-alive connection, one
 * request after another, recording each request's wait. A replica whose event loop is held
 * answers late, and that wait is what a load balancer's health check would see.
 *
 * start → (one probe to open the connection, not counted) → started → probes → stop → result.
 */
import { Agent, request } from 'node:http';
import { summarize } from '../common/latency';
import type { FromProber, ProbeResult, ToProber } from './prober-messages';

/** How long the first probe of a window may take to get any answer before the window fails. */
const CONNECT_TIMEOUT_MS = 30_000;

function send(message: FromProber): void {
  process.send?.(message);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One GET on the agent's connection; resolves when the whole response has arrived. */
function probe(url: URL, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET' }, (response) => {
      response.resume();
      response.once('end', () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`)),
      );
      response.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

/** One measuring window: its own agent (and connection), so a probe stuck in a previous window cannot delay it. */
class ProbeWindow {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly waits: number[] = [];
  private running = true;
  private waitingSince: number | null = null;
  private errors = 0;
  private firstError: string | null = null;

  constructor(private readonly url: URL) {}

  /** Opens the connection with a first probe (retried until CONNECT_TIMEOUT_MS), then probes until stop(). */
  async start(): Promise<void> {
    const deadline = Date.now() + CONNECT_TIMEOUT_MS;
    for (;;) {
      try {
        await probe(this.url, this.agent);
        break;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`no answer from ${this.url.href}: ${(error as Error).message}`, { cause: error });
        await sleep(100);
      }
    }
    void this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const sentAt = performance.now();
      this.waitingSince = sentAt;
      try {
        await probe(this.url, this.agent);
        if (this.running) this.waits.push(performance.now() - sentAt);
      } catch (error) {
        if (!this.running) break;
        // A failure is an answer too, and may come late: a replica whose loop was held past its
        // keep-alive timeout closes the idle connection the moment it resumes, failing the probe
        // that waited all along.
        this.waits.push(performance.now() - sentAt);
        this.errors += 1;
        this.firstError ??= (error as Error).message;
        // A refused connection fails at once: do not spin.
        await sleep(5);
      } finally {
        this.waitingSince = null;
      }
    }
  }

  /** Ends the window now; a probe still waiting counts with its age so far. */
  stop(): ProbeResult {
    this.running = false;
    const waitingFor = this.waitingSince === null ? 0 : performance.now() - this.waitingSince;
    const waits = summarize(this.waits);
    // The probe in flight now is normally a fresh one; it matters only when it waited longer than any answered one.
    const unanswered = !(waitingFor <= waits.max);
    if (unanswered) waits.max = waitingFor;
    // Drops the connection, which also ends a probe still waiting.
    this.agent.destroy();
    return {
      answered: this.waits.length,
      waits,
      unanswered,
      errors: this.errors,
      firstError: this.firstError,
    };
  }
}

let window: ProbeWindow | null = null;

process.on('message', (message: ToProber) => {
  void (async () => {
    try {
      if (message.type === 'start') {
        window?.stop();
        window = new ProbeWindow(new URL('/api/healthz', message.url));
        await window.start();
        send({ type: 'started' });
      } else if (message.type === 'stop' && window) {
        const result = window.stop();
        window = null;
        send({ type: 'result', result });
      }
    } catch (error) {
      send({ type: 'error', message: (error as Error).message });
    }
  })();
});

// The orchestrator going away (crash, Ctrl-C) ends the prober too.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
