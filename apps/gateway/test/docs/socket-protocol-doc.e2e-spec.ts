import { readFileSync, writeFileSync } from 'node:fs';
import type { ClientEventName, ServerEventName } from '@tickets/protocol';
import { SOCKET_DOC, socketProtocolDoc } from './socket-protocol-doc';

/** Every message of the protocol's maps, checked at compile time, so a new one fails the test below until documented. */
const CLIENT_MESSAGES = Object.keys({
  'event:join': true,
  'event:leave': true,
  'levels:page': true,
  'levels:combo': true,
  reserve: true,
  'reservation:confirm': true,
  'lobby:join': true,
  'lobby:leave': true,
} satisfies Record<ClientEventName, true>);
const SERVER_MESSAGES = Object.keys({
  'inventory:changed': true,
  'events:changed': true,
  'reservation:changed': true,
  'session:ended': true,
} satisfies Record<ServerEventName, true>);

describe('docs/socket-protocol.md', () => {
  const generated = socketProtocolDoc();
  if (process.env.UPDATE_DOCS === '1') writeFileSync(SOCKET_DOC, generated);

  it('lists every message of the protocol', () => {
    for (const message of [...CLIENT_MESSAGES, ...SERVER_MESSAGES])
      expect(generated).toContain(`| \`${message}\` |`);
  });

  it('is what the protocol source generates (UPDATE_DOCS=1 rewrites it)', () => {
    expect(readFileSync(SOCKET_DOC, 'utf8')).toBe(generated);
  });
});
