import { parseSessionMessage } from './sessions.service';

describe('parseSessionMessage', () => {
  it('reads the two kinds of message', () => {
    expect(parseSessionMessage('{"kind":"user-changed","userId":4}')).toEqual({ kind: 'user-changed', userId: 4 });
    expect(parseSessionMessage('{"kind":"token-revoked","userId":4,"tokenId":"t","expiresAt":5}')).toEqual({
      kind: 'token-revoked',
      userId: 4,
      tokenId: 't',
      expiresAt: 5,
    });
  });

  it.each(['{', '7', 'null', '{"kind":"user-changed","userId":0}', '{"kind":"user-changed","userId":"4"}', '{"kind":"token-revoked","userId":4}', '{"kind":"drop","userId":4}'])(
    'refuses %s',
    (raw) => {
      expect(parseSessionMessage(raw)).toBeNull();
    },
  );
});
