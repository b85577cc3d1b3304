# The truyvet server for docker-compose.yml. Neo4j runs in its own container.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:viz --if-present
ENV NODE_ENV=production
USER node
EXPOSE 8080
CMD ["node", "bin/truyvet.js", "serve", "--port", "8080"]
