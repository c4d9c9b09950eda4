# One image for every Ventanilla service; docker-compose.yml picks the entry point with `command`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production LISTEN_HOST=0.0.0.0
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly (no build step), so it is a runtime dependency.
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY lib ./lib
COPY issuer ./issuer
COPY gateway ./gateway
COPY registry ./registry
COPY subgraphs ./subgraphs
COPY schema ./schema
COPY contract ./contract
COPY scripts ./scripts
USER node
EXPOSE 4000
CMD ["node", "--import", "tsx", "gateway/main.ts"]
