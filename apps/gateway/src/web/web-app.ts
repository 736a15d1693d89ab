import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';

/** Paths the gateway answers itself; everything else may be the web app's. */
const GATEWAY_PATHS = /^\/(api|socket\.io|metrics)(\/|$)/;
/** Vite names built assets by content hash: they never change, so browsers may keep them for a year. */
const HASHED_ASSETS = /^\/assets\//;

/**
 * Serves the built web app (`apps/web/dist`) on the gateway's own port: its files (hashed assets
 * cached for a year, the rest revalidated), and `index.html` for any other GET that wants HTML, so
 * client routes such as `/events/3` survive a reload. `/api`, `/socket.io` and `/metrics` are
 * never touched. Null when the directory holds no built app.
 */
export function webAppHandlers(dir: string): RequestHandler[] | null {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return null;
  const files = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (response, path) => {
      const relative = path.slice(dir.length).replace(/\\/g, '/');
      response.setHeader(
        'Cache-Control',
        HASHED_ASSETS.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  const clientRoutes: RequestHandler = (request, response, next) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || GATEWAY_PATHS.test(request.path))
      return next();
    // A missing asset is a 404, not the app: only navigations (HTML wanted) get index.html.
    if (HASHED_ASSETS.test(request.path) || !request.accepts('html')) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(indexFile);
  };
  const onlyOutsideGateway: RequestHandler = (request, response, next) =>
    GATEWAY_PATHS.test(request.path) ? next() : files(request, response, next);
  return [onlyOutsideGateway, clientRoutes];
}
