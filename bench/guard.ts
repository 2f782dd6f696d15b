/**
 * `npm run bench:guard`: quality first (bench/guard-corpus.ts: the pack's held-out split, public
 * held-out and leave-one-source-out figures, HarmBench / AdvBench recall), then the latency
 * benchmark (bench/guard-classify.ts), then the gateway benchmark (bench/guard-gateway.ts) when it
 * exists. Each runs in its own process.
 * Flags: --json (all parts), --quick / --no-loso / --model FILE (quality part), --calls N (latency part).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const parts = ['guard-corpus.ts', 'guard-classify.ts', 'guard-gateway.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url))).filter((f) => existsSync(f));
const argv = process.argv.slice(2);
const valueOf = (flag: string): string[] => {
  const i = argv.indexOf(flag);
  return i >= 0 && argv[i + 1] !== undefined ? [flag, argv[i + 1]!] : [];
};
let code = 0;
for (const file of parts) {
  const args = file.endsWith('guard-corpus.ts')
    ? [...argv.filter((a) => ['--json', '--quick', '--no-loso'].includes(a)), ...valueOf('--model')]
    : file.endsWith('guard-classify.ts')
      ? [...argv.filter((a) => a === '--json'), ...valueOf('--calls')]
      : argv.filter((a) => a === '--json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
  if (r.status !== 0) code = r.status ?? 1;
}
process.exit(code);
