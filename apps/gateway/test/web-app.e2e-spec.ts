import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './support/test-app';

/** The gateway serves the built web app on its own port, and never in place of its own routes. */
describe('the web app on the gateway port', () => {
  let t: TestApp;
  const webDir = mkdtempSync(join(tmpdir(), 'tickets-web-'));

  beforeAll(async () => {
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Tickets</title><div id="app"></div>');
    writeFileSync(join(webDir, 'assets', 'index-Ab12Cd.js'), 'console.log(1)');
    writeFileSync(join(webDir, 'favicon.svg'), '<svg/>');
    t = await startTestApp('sqlite', { WEB_DIR: webDir });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves index.html for the root and any client route a browser navigates to, revalidated each time', async () => {
    for (const path of ['/', '/events/3', '/admin/events']) {
      const response = await t.http().get(path).set('Accept', 'text/html').expect(200);
      expect(response.text).toContain('<div id="app">');
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets with a year-long cache, other files revalidated, and a missing asset as 404', async () => {
    const asset = await t.http().get('/assets/index-Ab12Cd.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toContain('javascript');
    const icon = await t.http().get('/favicon.svg').expect(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
    await t.http().get('/assets/index-gone.js').set('Accept', 'text/html,*/*').expect(404);
  });

  it('leaves the API, Socket.IO and metrics alone', async () => {
    const api = await t.http().get('/api/nothing-here').set('Accept', 'text/html').expect(404);
    expect(api.body).toMatchObject({ code: 'NOT_FOUND' });
    await t.http().get('/api/healthz').expect(200, { status: 'ok' });
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toContain('nodejs_eventloop_lag_max_seconds');
    const socket = await t.http().get('/socket.io/?EIO=4&transport=polling');
    expect(socket.text).not.toContain('<div id="app">');
  });
});
