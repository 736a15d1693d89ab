import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS } from './logging';

/** A pino logger with the gateway's redaction, writing into `lines`. */
function logger(lines: string[]): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
}

describe('log redaction', () => {
  it('hides credentials wherever a log call puts them in its first levels', () => {
    const lines: string[] = [];
    const log = logger(lines);
    log.info({ password: 'pw-top', token: 'tk-top', jwtSecret: 'secret-top' }, 'top');
    log.info({ body: { password: 'pw-body', currentPassword: 'pw-current', newPassword: 'pw-new' } }, 'body');
    log.info({ req: { headers: { authorization: 'Bearer tk-header', cookie: 'c=1' } } }, 'headers');
    log.info({ response: { data: { accessToken: 'tk-nested' } } }, 'nested');
    const output = lines.join('');
    for (const secret of [
      'pw-top',
      'tk-top',
      'secret-top',
      'pw-body',
      'pw-current',
      'pw-new',
      'tk-header',
      'c=1',
      'tk-nested',
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output.match(/\[redacted\]/g)?.length).toBe(9);
  });
});
