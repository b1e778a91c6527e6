# The applygate GitHub App (Probot). Build: `docker build -t applygate-app .`
# Run:   docker run -p 3000:3000 -e APP_ID -e PRIVATE_KEY -e WEBHOOK_SECRET applygate-app
# (register the app first: docs/app.md). Webhooks arrive at POST /api/github/webhooks;
# GET /ping answers PONG. Released images: ghcr.io/applygate/applygate (docs/deploy.md).
# test/install/docker.test.ts carries out every step below on exactly this build context.

# --- build: compile TypeScript to lib/ with the dev dependencies, then drop them
FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
# One install, pruned to the production dependencies the lockfile pins (a second `npm ci
# --omit=dev` would fetch the same packages again).
RUN npm run -s build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime: production dependencies and the compiled app only
FROM node:24-alpine
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
# The image's files stay root's: the app cannot rewrite its own code.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/ping" || exit 1
# Probot's server around the app, with a graceful stop on SIGTERM (src/app/server.ts)
CMD ["node", "lib/app/server.js"]
