/**
 * TEMPORARY — remove once the gateway serves apps/web/dist itself (issue 10, "One URL"); the
 * cluster launcher uses this only when a replica answers `/` with something other than the app.
 *
 * A tiny server in front of one replica: the built SPA from apps/web/dist (index.html for client
 * routes) and `/api` + `/socket.io` (HTTP and WebSocket upgrades) passed through unchanged.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { WEB_DIST } from './paths';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const passesThrough = (url: string): boolean => url.startsWith('/api') || url.startsWith('/socket.io');

export async function startStaticProxy(port: number, targetPort: number): Promise<Server> {
  const server = createServer((incoming, outgoing) => {
    const url = incoming.url ?? '/';
    if (passesThrough(url)) {
      const upstream = request(
        {
          host: '127.0.0.1',
          port: targetPort,
          path: url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstream.on('error', () => {
        if (!outgoing.headersSent) outgoing.writeHead(502);
        outgoing.end();
      });
      incoming.pipe(upstream);
      return;
    }
    const path = normalize(decodeURIComponent(url.split('?')[0])).replace(/^(\.\.[/\\])+/, '');
    let file = join(WEB_DIST, path);
    if (!file.startsWith(WEB_DIST) || !existsSync(file) || statSync(file).isDirectory())
      file = join(WEB_DIST, 'index.html');
    outgoing.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(outgoing);
  });
  server.on('upgrade', (incoming, socket, head) => {
    const upstream = connect(targetPort, '127.0.0.1', () => {
      const lines = [`${incoming.method} ${incoming.url} HTTP/1.1`];
      for (let i = 0; i < incoming.rawHeaders.length; i += 2)
        lines.push(`${incoming.rawHeaders[i]}: ${incoming.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
