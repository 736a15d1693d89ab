import { PROTOCOL_VERSION } from '@tickets/protocol';
import { assertProtocolVersion } from './protocol-version';

describe('assertProtocolVersion', () => {
  it('accepts the version this server speaks', () => {
    expect(() => assertProtocolVersion(PROTOCOL_VERSION)).not.toThrow();
  });

  it.each([[undefined], [PROTOCOL_VERSION - 1], [String(PROTOCOL_VERSION)], [null]])(
    'refuses %p with UPGRADE_REQUIRED',
    (claimed) => {
      expect(() => assertProtocolVersion(claimed)).toThrow(
        expect.objectContaining({ code: 'UPGRADE_REQUIRED' }),
      );
    },
  );
});
