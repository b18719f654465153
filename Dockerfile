# syntax=docker/dockerfile:1
#
# One image for every service of the connections backend. The service is picked
# at run time by the SERVICE environment variable:
#
#   docker build -t planton-connect .
#   docker run -e SERVICE=vault -p 8080:8080 -p 9090:9090 planton-connect
#
# SERVICE is the folder name under services/ (vault, registry, authz, verifier,
# or all-in-one); the container runs `node services/$SERVICE/dist/src/main.js`.
# Every service listens on PORT (8080: Connect, gRPC-Web and gRPC over HTTP/1.1
# and h2c) and GRPC_PORT (9090: native gRPC); both answer grpc.health.v1.Health.

# Node 24 LTS in the images; development and CI also run Node 20.19+ (package.json
# engines), and .ci/run runs the tests on both.
ARG NODE_VERSION=24

# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# ---------------------------------------------------------------------------
# Only the npm manifests (root and every workspace) and the dependency patches
# that `npm ci` applies (patch-package, see patches/README.md), so that `npm ci`
# below is cached until one of them changes, without listing the workspaces
# here one by one.
FROM base AS manifests
COPY . /src
RUN mkdir /manifests \
 && cd /src \
 && find . -path ./node_modules -prune -o -type f \
      \( -name package.json -o -name package-lock.json -o -name .npmrc \) -print0 \
    | tar --null -cf - -T - | tar -xf - -C /manifests \
 && cp -r patches /manifests/patches

# ---------------------------------------------------------------------------
FROM base AS build
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci
COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && test -n "$(ls services/*/dist/src/main.js 2>/dev/null)"

# ---------------------------------------------------------------------------
# The web console alone, as static files behind nginx (same origin as the API:
# it proxies the RPC paths to registry and authz). `docker build --target console`.
FROM nginx:1.27-alpine AS console
COPY deploy/docker/console-nginx.conf /etc/nginx/conf.d/default.conf
COPY deploy/docker/console-headers.conf /etc/nginx/console-headers.conf
COPY --from=build /app/web/dist /usr/share/nginx/html
EXPOSE 8080

# ---------------------------------------------------------------------------
FROM base AS runtime
ENV NODE_ENV=production
# Files stay owned by root and read-only for the process user: the container
# can run with a read-only root filesystem (it writes nothing outside /tmp).
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/services ./services
# The built console, served at / by SERVICE=all-in-one.
COPY --from=build /app/web/dist ./web/dist
COPY deploy/docker/start.sh deploy/docker/grpc-health.mjs ./deploy/docker/

ARG SERVICE=vault
ENV SERVICE=${SERVICE} \
    PORT=8080 \
    GRPC_PORT=9090

# The `node` user of the base image, given numerically so that Kubernetes'
# runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080 9090
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=4s --start-period=60s --retries=3 \
  CMD ["node", "deploy/docker/grpc-health.mjs"]
CMD ["sh", "deploy/docker/start.sh"]
