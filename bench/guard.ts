/**
 * `npm run bench:guard`: the classification benchmark (bench/guard-classify.ts), then the gateway
 * benchmark (bench/guard-gateway.ts) when it exists. Each runs in its own process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const parts = ['guard-classify.ts', 'guard-gateway.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url))).filter((f) => existsSync(f));
const argv = process.argv.slice(2);
let code = 0;
for (const file of parts) {
  // The classification part takes every flag (--json, --calls N); the gateway part only --json.
  const args = file.endsWith('guard-classify.ts') ? argv : argv.filter((a) => a === '--json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
  if (r.status !== 0) code = r.status ?? 1;
}
process.exit(code);
