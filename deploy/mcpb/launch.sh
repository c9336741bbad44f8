#!/bin/sh
# Starts the etlworks-mcp binary of this bundle that matches the machine (macOS or Linux, amd64 or
# arm64); Windows starts its .exe directly (see manifest.json).
dir=$(cd "$(dirname "$0")" && pwd)
case "$(uname -s)" in
  Darwin) os=darwin ;;
  Linux) os=linux ;;
  *) echo "etlworks-mcp: no binary in this bundle for $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  arm64 | aarch64) arch=arm64 ;;
  *) echo "etlworks-mcp: no binary in this bundle for $(uname -m)" >&2; exit 1 ;;
esac
exec "$dir/etlworks-mcp-$os-$arch" "$@"
