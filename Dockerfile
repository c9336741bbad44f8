# syntax=docker/dockerfile:1
# A small, static, non-root image of etlworks-mcp.
#   docker build --build-arg VERSION=0.1.0 -t ghcr.io/etlworks/etlworks-mcp:0.1.0 .
#   docker run -i --rm -e ETLWORKS_URL -e ETLWORKS_API_KEY ghcr.io/etlworks/etlworks-mcp:0.1.0
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/etlworks-mcp .

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL io.modelcontextprotocol.server.name="io.github.etlworks/etlworks-mcp" \
      org.opencontainers.image.title="etlworks-mcp" \
      org.opencontainers.image.description="MCP server for the Etlworks data-integration platform" \
      org.opencontainers.image.source="https://github.com/etlworks/etlworks-mcp" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/etlworks-mcp /usr/local/bin/etlworks-mcp
USER nonroot:nonroot
# stdio by default; for a team server pass e.g. --http 0.0.0.0:8931 --allow-remote (see README.md)
ENTRYPOINT ["/usr/local/bin/etlworks-mcp"]
