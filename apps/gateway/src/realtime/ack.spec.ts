import { ForbiddenException, Logger, type LoggerService } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { Ack } from '@tickets/protocol';
import { lastValueFrom, of, throwError } from 'rxjs';
import { Clock } from '../common/clock';
import { SocketMessageLog, type PinoLoggerPort } from '../observability/socket-message-log';
import { AckExceptionFilter } from './ack';

/** Every line written through Nest's Logger, as (message, params). */
class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: unknown; params: unknown[] }[] = [];
  log(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'log', message, params });
  }
  error(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'error', message, params });
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.lines.push({ level: 'warn', message, params });
  }
}

/** The interceptor's own lines are not what these tests look at. */
class SilentLogger implements PinoLoggerPort {
  setContext(): void {}
  info(): void {}
}

/** A socket message as Socket.IO hands it to Nest: (socket, payload, ack, pattern). */
function message(pattern: string, answers: Ack<unknown>[]): ExecutionContextHost {
  const socket = { id: 'socket-1', data: { principal: { userId: 7 } } };
  const host = new ExecutionContextHost([
    socket,
    { eventId: 1 },
    (answer: Ack<unknown>) => answers.push(answer),
    pattern,
  ]);
  host.setType('ws');
  return host;
}

describe('AckExceptionFilter', () => {
  const logger = new RecordingLogger();
  beforeAll(() => Logger.overrideLogger(logger));
  afterAll(() => Logger.overrideLogger(false));
  beforeEach(() => logger.lines.splice(0));

  it('answers a refused message with ok:false and logs its line when no interceptor did (a guard refused it)', () => {
    const answers: Ack<unknown>[] = [];
    new AckExceptionFilter().catch(new ForbiddenException('Not allowed'), message('reserve', answers));
    expect(answers).toEqual([{ ok: false, error: { code: 'FORBIDDEN', message: 'Not allowed' } }]);
    const lines = logger.lines.filter((line) => line.params.includes('socket message'));
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toEqual({
      socketId: 'socket-1',
      userId: 7,
      message: 'reserve',
      outcome: 'FORBIDDEN',
      durationMs: null,
    });
  });

  it('does not log a second line for a failure the message interceptor already logged', async () => {
    const interceptor = new SocketMessageLog(new SilentLogger(), new Clock());
    const answers: Ack<unknown>[] = [];
    const host = message('reserve', answers);
    const failure = new ForbiddenException('Not allowed');
    await expect(
      lastValueFrom(interceptor.intercept(host, { handle: () => throwError(() => failure) })),
    ).rejects.toBe(failure);
    new AckExceptionFilter().catch(failure, host);
    expect(answers).toHaveLength(1);
    expect(logger.lines.filter((line) => line.params.includes('socket message'))).toEqual([]);
    // A success goes through the interceptor alone.
    await expect(lastValueFrom(interceptor.intercept(host, { handle: () => of('done') }))).resolves.toBe(
      'done',
    );
  });
});
