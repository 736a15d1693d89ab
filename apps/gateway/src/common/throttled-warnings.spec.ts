import { ThrottledWarnings } from './throttled-warnings';

describe('ThrottledWarnings', () => {
  it('logs each source at most once per interval, with the error message', () => {
    const lines: string[] = [];
    let now = 0;
    const warnings = new ThrottledWarnings(
      { warn: (line: string) => void lines.push(line) },
      1000,
      () => now,
    );
    warnings.warn('subscriber', new Error('ECONNREFUSED'));
    warnings.warn('subscriber', new Error('ECONNREFUSED'));
    warnings.warn('publisher', 'timeout');
    now = 999;
    warnings.warn('subscriber', new Error('still down'));
    now = 1000;
    warnings.warn('subscriber', new Error('still down'));
    expect(lines).toEqual(['subscriber: ECONNREFUSED', 'publisher: timeout', 'subscriber: still down']);
  });
});
