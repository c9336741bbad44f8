#!/usr/bin/env bash
# Checks the README's client setup lines with the real clients: installs Claude Code, Codex CLI and
# Gemini CLI from npm into a scratch prefix with a scratch HOME, runs the README's `mcp add` lines
# for each (taken from README.md itself, so the README is what is tested), and checks that the demo
# entry (etlworks-mcp --sandbox) and the HTTP entry are live connections. Needs Go, Node.js, npm and
# the npm registry; nothing outside the scratch folder is changed. Not part of `go test ./...`.
#
#   scripts/check-clients.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

claude_pkg=@anthropic-ai/claude-code@2.1.197
codex_pkg=@openai/codex@0.171.0
gemini_pkg=@google/gemini-cli@0.61.0

scratch=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
mkdir -p "$scratch/bin"
echo "building etlworks-mcp" >&2
CGO_ENABLED=0 go build -o "$scratch/bin/etlworks-mcp" . # before HOME moves: Go's caches live under it
export HOME="$scratch/home"
project="$HOME/project"
mkdir -p "$project"
echo "installing $claude_pkg $codex_pkg $gemini_pkg" >&2
npm install --prefix "$scratch/npm" --no-audit --no-fund --loglevel=error "$claude_pkg" "$codex_pkg" "$gemini_pkg" >&2
export PATH="$scratch/bin:$scratch/npm/node_modules/.bin:$PATH"
# Gemini CLI disables MCP servers in folders it has not been told to trust.
mkdir -p "$HOME/.gemini"
printf '{"%s": "TRUST_FOLDER"}\n' "$project" > "$HOME/.gemini/trustedFolders.json"

# snippet NAME prints the command lines of the README block marked <!-- client: NAME -->.
snippet() {
  awk -v name="$1" '
    $0 == "<!-- client: " name " -->" { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside && NF && $1 !~ /^#/ { print }
  ' "$repo/README.md"
}

passed=0 failed=0
check() { # check DESCRIPTION COMMAND...: a passed or failed line
  if "${@:2}"; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
run_lines() { # run_lines NAME [SED-EXPRESSION]: runs each README line of NAME in the project folder
  local line
  while IFS= read -r line; do
    [ -n "${2:-}" ] && line=$(printf '%s' "$line" | sed "$2")
    echo "+ $line" >&2
    (cd "$project" && eval "$line") >&2 || return 1
  done < <(snippet "$1")
  [ -n "$(snippet "$1")" ]
}
listed_live() { # listed_live CLIENT NAME: the client's `mcp list` shows NAME connected
  local out
  out=$(cd "$project" && timeout 120 "$1" mcp list 2>&1) || true
  echo "$out" >&2
  echo "$out" | grep -E "^[^a-z]*$2: .*Connected" >/dev/null
}
initializes() { # initializes NAME: the command Codex stored for NAME answers an MCP initialize
  local spec
  spec=$(cd "$project" && codex mcp get "$1" --json 2>/dev/null)
  SPEC="$spec" timeout 60 node -e '
    const { spawn } = require("child_process");
    const t = JSON.parse(process.env.SPEC).transport;
    const p = spawn(t.command, t.args || [], { env: { ...process.env, ...(t.env || {}) }, stdio: ["pipe", "pipe", "ignore"] });
    let buf = "";
    p.stdout.on("data", d => {
      buf += d;
      if (buf.includes("\n")) {
        const r = JSON.parse(buf.split("\n")[0]);
        p.kill();
        process.exit(r.result && r.result.serverInfo && r.result.serverInfo.name === "etlworks-mcp" ? 0 : 1);
      }
    });
    p.stdin.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "check", version: "1" } } }) + "\n");
  '
}

check "claude-code: README lines accepted by claude mcp add" run_lines claude-code
check "claude-code: etlworks-demo connected" listed_live claude etlworks-demo
check "codex: README lines accepted by codex mcp add" run_lines codex
check "codex: etlworks-demo's stored command answers initialize" initializes etlworks-demo
check "gemini: README lines accepted by gemini mcp add" run_lines gemini
check "gemini: etlworks-demo connected" listed_live gemini etlworks-demo

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
etlworks-mcp --sandbox --http "127.0.0.1:$port" 2>"$scratch/http.log" &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
check "claude-code: README HTTP line accepted" run_lines claude-code-http "s/127.0.0.1:8931/127.0.0.1:$port/"
check "claude-code: etlworks-http connected" listed_live claude etlworks-http

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
