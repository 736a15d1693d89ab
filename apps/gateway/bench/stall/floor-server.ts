/**
 * The machine's floor for bench:stall: a bare `node:http` server answering `/api/healthz` like the
 * gateway (no framework, nothing else on its loop). The prober's longest wait against it is what
 * this machine's scheduling and the prober itself add, whatever the gateway does.
 */
import { createServer } from 'node:http';

const server = createServer((_request, response) => {
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end('{"status":"ok"}');
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
