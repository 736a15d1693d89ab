import { ErrorCode, HTTP_STATUS_BY_ERROR_CODE, isErrorCode } from './errors';

describe('error codes', () => {
  it('maps every code to an HTTP error status', () => {
    for (const code of Object.values(ErrorCode)) {
      const status = HTTP_STATUS_BY_ERROR_CODE[code];
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('recognises codes and rejects anything else', () => {
    expect(isErrorCode('LEVEL_UNAVAILABLE')).toBe(true);
    expect(isErrorCode('level_unavailable')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});
