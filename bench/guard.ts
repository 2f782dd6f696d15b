/**
 * `npm run bench:guard`: the classification benchmark (bench/guard-classify.ts), then the gateway
 * benchmark (bench/guard-gateway.ts) when it exists. Each runs in its own process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const parts = ['guard-classify.ts', 'guard-gateway.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url))).filter((f) => existsSync(f));
let code = 0;
for (const file of parts) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) code = r.status ?? 1;
}
process.exit(code);
