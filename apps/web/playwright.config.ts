import { defineConfig } from '@playwright/test';

/**
 * Browser tests against real gateway replicas (MariaDB + Redis), driving Debian's Chromium.
 * Never downloads a browser: CHROMIUM_PATH or /usr/bin/chromium (`apt-get install chromium`).
 */
export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.e2e.ts',
  // One worker: the replicas, MariaDB, Redis and the browser share two cores.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: '../../node_modules/.cache/web-e2e-results',
  use: {
    trace: 'retain-on-failure',
    launchOptions: {
      // Headless Chromium hides scrollbars by default; the tests drag the real one.
      ignoreDefaultArgs: ['--hide-scrollbars'],
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
