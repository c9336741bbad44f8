// Counts the o200k tokens of what an MCP client shows a model for each tool of etlworks-mcp
// (name, description, input schema), per toolset and in total, and, counted apart, the output
// schemas of the tools that declare one (run_flow, get_run, list_runs, diagnose_run).
//
//   cd scripts && npm install && node tool-tokens.mjs ../etlworks-mcp [--read-only] [--allow-sql-writes]
//
// It starts the binary on its embedded sandbox, asks tools/list over stdio, and prints one line
// per tool (with its output schema's tokens, when it has one) and a summary; every token of
// tools/list is paid by every user on every turn.
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { spawn } from 'node:child_process';

const [bin, ...extra] = process.argv.slice(2);
if (!bin) {
  console.error('usage: node tool-tokens.mjs PATH/TO/etlworks-mcp [flags]');
  process.exit(2);
}

async function listTools(args) {
  const p = spawn(bin, ['--sandbox', ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (m) => p.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...m }) + '\n');
  send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'tool-tokens', version: '1' } } });
  send({ method: 'notifications/initialized' });
  send({ id: 2, method: 'tools/list' });
  let buf = '';
  for await (const chunk of p.stdout) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (msg.id === 2) {
        p.kill();
        return msg.result.tools;
      }
    }
  }
  throw new Error('no tools/list answer');
}

const count = (t) => encode(JSON.stringify({ name: t.name, description: t.description, inputSchema: t.inputSchema })).length;
const countOutput = (t) => (t.outputSchema ? encode(JSON.stringify(t.outputSchema)).length : 0);
const all = await listTools(extra);
const toolsets = ['flows', 'connections', 'explorer', 'schedules', 'audit'];
const owner = {};
for (const set of toolsets) {
  for (const t of await listTools([...extra, '--toolsets', set])) owner[t.name] = set;
}
let total = 0;
let outputTotal = 0;
let outputTools = 0;
const per = {};
for (const t of all) {
  const n = count(t);
  total += n;
  const set = owner[t.name] ?? '?';
  per[set] ??= { tools: 0, tokens: 0 };
  per[set].tools++;
  per[set].tokens += n;
  const out = countOutput(t);
  if (out > 0) {
    outputTotal += out;
    outputTools++;
  }
  console.log(`${t.name.padEnd(22)} ${String(n).padStart(4)}  ${set}${out > 0 ? `  (output schema ${out})` : ''}`);
}
for (const [set, v] of Object.entries(per)) {
  console.log(`toolset ${set.padEnd(12)} ${v.tools} tools, ${v.tokens} tokens, ${(v.tokens / v.tools).toFixed(1)} per tool`);
}
console.log(`all ${all.length} tools: ${total} tokens, ${(total / all.length).toFixed(1)} per tool (o200k; name + description + input schema)`);
console.log(`output schemas: ${outputTools} tools, ${outputTotal} tokens (o200k; not in the per-tool figure above)`);
