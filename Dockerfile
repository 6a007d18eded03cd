# sealbridge image: compiled JavaScript and production dependencies only, on the current Node LTS.
# Build: docker build -t sealbridge .   (the context is limited by .dockerignore to what is copied below)
ARG NODE_IMAGE=node:26.13.0-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY crds ./crds
# A numeric non-root user (the image's own unprivileged uid), so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080 8081
# Exec form: node runs directly, no shell is needed at run time.
ENTRYPOINT ["node", "/app/bin/sealbridge"]
CMD ["controller"]
