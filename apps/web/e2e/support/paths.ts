import { fileURLToPath } from 'node:url';

export const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
export const GATEWAY_MAIN = fileURLToPath(new URL('../../../gateway/dist/main.js', import.meta.url));
export const WEB_DIST = fileURLToPath(new URL('../../dist', import.meta.url));
