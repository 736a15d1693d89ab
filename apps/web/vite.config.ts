import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

const gateway = process.env.GATEWAY_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [vue()],
  resolve: {
    // The protocol package builds to CommonJS for the gateway; the app compiles its TypeScript source
    // directly, so dev and build see the same ES modules and no build step is needed first.
    alias: {
      '@tickets/protocol': fileURLToPath(new URL('../../packages/protocol/src/index.ts', import.meta.url)),
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: gateway, changeOrigin: true },
      '/socket.io': { target: gateway, changeOrigin: true, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: gateway, changeOrigin: true },
      '/socket.io': { target: gateway, changeOrigin: true, ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: true },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.spec.ts'],
  },
});
