# The plangate GitHub App (Probot). Build: `docker build -t plangate-app .`
# Run:   docker run -p 3000:3000 -e APP_ID -e PRIVATE_KEY -e WEBHOOK_SECRET plangate-app
# (register the app first from app.yml with `npm run app`: in production Probot needs APP_ID).
# Webhooks arrive at POST /api/github/webhooks; GET /ping answers PONG. See docs/app.md.

# --- build: compile TypeScript to lib/ (needs the dev dependencies)
FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
RUN npm run -s build

# --- runtime: production dependencies and the compiled app only
FROM node:24-alpine
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/ping" || exit 1
# Probot's server around the app, with a graceful stop on SIGTERM (src/app/server.ts)
CMD ["node", "lib/app/server.js"]
