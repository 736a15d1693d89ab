import { ErrorCode, PROTOCOL_VERSION } from '@tickets/protocol';
import { AppError } from '../common/app-error';

/**
 * A handshake must name the protocol version this server speaks. A client built for another one
 * (an old tab left open across a deploy) is refused with UPGRADE_REQUIRED and told to reload,
 * instead of connecting and misreading messages whose shape changed.
 */
export function assertProtocolVersion(claimed: unknown): void {
  if (claimed === PROTOCOL_VERSION) return;
  throw new AppError(
    ErrorCode.UPGRADE_REQUIRED,
    `This server speaks protocol version ${PROTOCOL_VERSION}; the client sent ${claimed === undefined ? 'none' : JSON.stringify(claimed)}. Reload the page.`,
  );
}
