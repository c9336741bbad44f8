#!/usr/bin/env bash
# Builds the Claude Desktop bundle (.mcpb) of etlworks-mcp and records its SHA-256 in server.json.
#
#   scripts/build-mcpb.sh VERSION        e.g. scripts/build-mcpb.sh 0.1.0
#
# The bundle holds static binaries for macOS and Linux (amd64, arm64) and Windows (amd64; arm64
# Windows runs it emulated), deploy/mcpb/launch.sh to pick one, and the manifest with VERSION.
# It is validated and packed with the official MCPB CLI (npm @anthropic-ai/mcpb), so Node.js and
# npm are needed. Output: dist/etlworks-mcp-VERSION.mcpb.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: scripts/build-mcpb.sh VERSION (semantic version without the v, e.g. 0.1.0)}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "VERSION must be a semantic version such as 0.1.0, got $version" >&2; exit 2; }
mcpb_cli=@anthropic-ai/mcpb@2.1.2

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/server" dist

for target in darwin/amd64 darwin/arm64 linux/amd64 linux/arm64 windows/amd64; do
  os=${target%/*} arch=${target#*/}
  out="$stage/server/etlworks-mcp-$os-$arch"
  [ "$os" = windows ] && out="$out.exe"
  echo "building $os/$arch" >&2
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$out" .
done
cp deploy/mcpb/launch.sh "$stage/server/launch.sh"
cp LICENSE "$stage/LICENSE"
node -e '
  const fs = require("fs");
  const m = JSON.parse(fs.readFileSync("deploy/mcpb/manifest.json", "utf8"));
  m.version = process.argv[1];
  fs.writeFileSync(process.argv[2], JSON.stringify(m, null, 2) + "\n");
' "$version" "$stage/manifest.json"

npx -y "$mcpb_cli" validate "$stage/manifest.json"
bundle="dist/etlworks-mcp-$version.mcpb"
npx -y "$mcpb_cli" pack "$stage" "$bundle"
sha=$(sha256sum "$bundle" | cut -d' ' -f1)

node -e '
  const fs = require("fs");
  const [version, sha] = process.argv.slice(1);
  const s = JSON.parse(fs.readFileSync("server.json", "utf8"));
  s.version = version;
  for (const p of s.packages) {
    if (p.registryType === "mcpb") {
      p.identifier = `https://github.com/etlworks/etlworks-mcp/releases/download/v${version}/etlworks-mcp-${version}.mcpb`;
      p.fileSha256 = sha;
    }
    if (p.registryType === "oci") p.identifier = `ghcr.io/etlworks/etlworks-mcp:${version}`;
  }
  fs.writeFileSync("server.json", JSON.stringify(s, null, 2) + "\n");
' "$version" "$sha"
echo "$bundle  sha256 $sha (recorded in server.json)"
