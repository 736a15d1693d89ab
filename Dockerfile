# Gateway image: the same build as `pnpm build`, started as `node apps/gateway/dist/main.js`.
# Node 24 (the current LTS); the code also runs on Node 20.19+ (package.json engines).
FROM node:24-bookworm-slim AS build
# better-sqlite3 (the embedded default's driver) compiles from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npx -y pnpm@10.34.8 install --frozen-lockfile \
 && npx -y pnpm@10.34.8 build \
 && npx -y pnpm@10.34.8 prune --prod --config.ignore-scripts=true

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000
# Owned by root and read-only to the process; only DATA_DIR (the embedded SQLite, when used) is writable.
COPY --from=build /app /app
RUN mkdir -p /app/data && chown node:node /app/data
# The image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
# SIGTERM (Docker's default stop signal) drains the replica within SHUTDOWN_TIMEOUT_MS (8 s by
# default), under `docker stop`'s 10 s; give compose's stop_grace_period more if you raise it.
STOPSIGNAL SIGTERM
# Ready: the database (and Redis) answer and the replica is not draining; 503 otherwise.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node itself is PID 1's command (no shell, no pnpm): it receives SIGTERM directly.
CMD ["node", "apps/gateway/dist/main.js"]
