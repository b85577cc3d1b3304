# The truyvet server for docker-compose.yml. Neo4j runs in its own container.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:viz --if-present
ENV NODE_ENV=production
# Where uploads wait for their import (a volume in docker-compose.yml), owned by the server's user.
RUN mkdir -p /var/lib/truyvet && chown node:node /var/lib/truyvet
USER node
EXPOSE 8080
CMD ["node", "bin/truyvet.js", "serve", "--port", "8080"]
