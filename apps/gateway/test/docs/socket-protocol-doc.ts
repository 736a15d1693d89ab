/**
 * Writes docs/socket-protocol.md from @tickets/protocol's socket contract (packages/protocol/src/
 * socket.ts), read with the TypeScript compiler: the message maps (ClientToServerEvents,
 * ServerToClientEvents), every payload interface they name, with their doc comments, and the
 * limits. The REST API's reference is the OpenAPI document (/api/docs); this is the socket side.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { ErrorCode, PROTOCOL_VERSION } from '@tickets/protocol';

export const REPO_ROOT = resolve(__dirname, '../../../..');
export const SOCKET_SOURCE = resolve(REPO_ROOT, 'packages/protocol/src/socket.ts');
export const SOCKET_DOC = resolve(REPO_ROOT, 'docs/socket-protocol.md');

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

function docOf(node: ts.Node, source: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const docs = ranges
    .map((range) => source.text.slice(range.pos, range.end))
    .filter((text) => text.startsWith('/**'))
    .map((text) =>
      text
        .replace(/^\/\*\*|\*\/$/g, '')
        .split('\n')
        .map((line) => line.replace(/^\s*\* ?/, ''))
        .join(' '),
    );
  return oneLine(docs.join(' '));
}

const code = (text: string): string => `\`${oneLine(text)}\``;

interface Message {
  name: string;
  payload: string;
  ack: string | null;
  doc: string;
}

function messagesOf(declaration: ts.InterfaceDeclaration, source: ts.SourceFile): Message[] {
  return declaration.members.filter(ts.isPropertySignature).map((member) => {
    const name = member.name.getText(source).replace(/^'|'$/g, '');
    const type = member.type;
    if (!type || !ts.isFunctionTypeNode(type)) throw new Error(`${name}: not a function type`);
    const [payload, ack] = type.parameters;
    const ackType = ack?.type?.getText(source) ?? null;
    return {
      name,
      payload: payload?.type?.getText(source) ?? '',
      ack: ackType === null ? null : ackType.replace(/^AckCallback<(.*)>$/s, '$1'),
      doc: docOf(member, source) || (MEANINGS[name] ?? ''),
    };
  });
}

/** A type's title and its doc comment, if it has one. */
function heading(
  statement: ts.InterfaceDeclaration | ts.TypeAliasDeclaration,
  source: ts.SourceFile,
): string[] {
  const doc = docOf(statement, source);
  return [`### ${statement.name.text}`, '', ...(doc ? [doc, ''] : [])];
}

/** Every interface and type alias of the file, with its fields. */
function typesOf(source: ts.SourceFile): string[] {
  const sections: string[] = [];
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement) && !statement.name.text.endsWith('Events')) {
      const rows = statement.members.filter(ts.isPropertySignature).map((member) => {
        const optional = member.questionToken ? ' (optional)' : '';
        return `| \`${member.name.getText(source)}\`${optional} | ${code(member.type?.getText(source) ?? '')} | ${docOf(member, source)} |`;
      });
      sections.push(
        [
          ...heading(statement, source),
          '| field | type | meaning |',
          '| --- | --- | --- |',
          ...rows,
          '',
        ].join('\n'),
      );
    } else if (ts.isTypeAliasDeclaration(statement) && !statement.name.text.endsWith('EventName')) {
      sections.push(
        [
          ...heading(statement, source),
          '```ts',
          statement
            .getText(source)
            .replace(/^\/\*\*[\s\S]*?\*\/\s*/g, '')
            .replace(/^export /, ''),
          '```',
          '',
        ].join('\n'),
      );
    }
  }
  return sections;
}

function constantsOf(source: ts.SourceFile): string[] {
  const rows: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      rows.push(
        `| \`${declaration.name.getText(source)}\` | ${declaration.initializer?.getText(source) ?? ''} | ${docOf(statement, source)} |`,
      );
    }
  }
  return rows;
}

/** For messages whose declaration has no doc comment of its own. */
const MEANINGS: Readonly<Record<string, string>> = {
  'event:join':
    "Joins the event's room: answers its current state; every change after that version then arrives, once each, in order, as `inventory:changed`.",
  'event:leave': "Leaves the event's room.",
  'levels:page': "A page of the event's levels (counts the read budget, READ_RATE_LIMIT).",
  'levels:combo': 'The tickets of one level (counts the read budget).',
  reserve:
    'Holds the combination of the level (RESERVE_RATE_LIMIT; `requestId` makes a retry safe): LEVEL_UNAVAILABLE, LIMIT_REACHED, CONFLICT, RATE_LIMITED.',
  'lobby:leave': 'Stops `events:changed`.',
};

export function socketProtocolDoc(): string {
  const source = ts.createSourceFile(
    SOCKET_SOURCE,
    readFileSync(SOCKET_SOURCE, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const find = (name: string): ts.InterfaceDeclaration => {
    const found = source.statements.find(
      (statement): statement is ts.InterfaceDeclaration =>
        ts.isInterfaceDeclaration(statement) && statement.name.text === name,
    );
    if (!found) throw new Error(`${name} not in ${SOCKET_SOURCE}`);
    return found;
  };
  const toServer = messagesOf(find('ClientToServerEvents'), source);
  const toClient = messagesOf(find('ServerToClientEvents'), source);
  return [
    '# Socket protocol',
    '',
    '<!-- Generated from packages/protocol/src/socket.ts by apps/gateway/test/docs/socket-protocol-doc.ts; do not edit.',
    '     Regenerate: cd apps/gateway && UPDATE_DOCS=1 npx jest test/docs -->',
    '',
    `Socket.IO, default namespace, path \`/socket.io\`, WebSocket transport (long-polling only with \`SOCKET_POLLING\`). Protocol version **${PROTOCOL_VERSION}**.`,
    'The REST API is described by the OpenAPI document the gateway serves at `/api/docs` (JSON at `/api/docs-json`).',
    '',
    '## Connecting',
    '',
    'The handshake carries `auth: { token, protocolVersion }` (`SocketAuth`): an access token from `POST /api/auth/login`',
    `and \`${PROTOCOL_VERSION}\`. A refused handshake ends in \`connect_error\` whose \`data\` is \`{ code, message }\`: \`${ErrorCode.UNAUTHENTICATED}\``,
    `(no, bad or ended token) or \`${ErrorCode.UPGRADE_REQUIRED}\` (another protocol version: reload the client).`,
    '',
    'Every client message takes an acknowledgement callback, answered `{ ok: true, data }` or `{ ok: false, error }` with an',
    '`AckError` (`code` from ErrorCode, `message`, and `retryAfterSeconds` with RATE_LIMITED or `limit` with LIMIT_REACHED).',
    'A message the protocol does not have is answered `VALIDATION_FAILED`; a payload that fails validation too.',
    '',
    '## Client → server',
    '',
    '| message | payload | acknowledgement data | meaning |',
    '| --- | --- | --- | --- |',
    ...toServer.map(
      (message) =>
        `| \`${message.name}\` | ${code(message.payload)} | ${message.ack ? code(message.ack) : ''} | ${message.doc} |`,
    ),
    '',
    '## Server → client',
    '',
    '| message | payload | meaning |',
    '| --- | --- | --- |',
    ...toClient.map((message) => `| \`${message.name}\` | ${code(message.payload)} | ${message.doc} |`),
    '',
    '## Types',
    '',
    'Types named here without a section (`EventView`, `LevelPage`, `LevelCombo`, `ReservationView`) are REST types: see the OpenAPI document and `packages/protocol/src/rest.ts`.',
    '',
    ...typesOf(source),
    '## Limits',
    '',
    '| constant | value | meaning |',
    '| --- | --- | --- |',
    ...constantsOf(source),
    '',
  ].join('\n');
}
