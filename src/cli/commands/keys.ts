import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { openGatewayBackend } from '../../gateway/backend.js';
import type { KeyStore } from '../../gateway/keys.js';
import type { Awaitable } from '../../core/maybe.js';
import { loadPack } from '../../policy/load.js';
import { openStore } from '../../store/open.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

/** `pillars keys add|list|revoke`: the gateway's API keys (only their hashes are stored). */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage the gateway API keys and their access tiers');

  example(
    withJson(
      withConfig(
        keys
          .command('add')
          .description('create an API key for a tier; prints the key once (only its hash is stored)')
          .requiredOption('--tier <tier>', 'access tier (one of the policy pack `tiers`)')
          .option('--name <name>', 'a label for the key (who or what uses it)'),
      ),
    ),
    ['pillars keys add --tier trusted-researcher --name biosafety-lab'],
  ).action(async (opts: CommonOpts & { tier: string; name?: string }) => {
    const { config } = cliEnv(opts);
    const pack = loadPack(config.policyPath).pack;
    if (!pack.tiers.includes(opts.tier)) {
      throw new UserError(`--tier: unknown tier "${opts.tier}" (the pack ${pack.id} defines: ${pack.tiers.join(', ')})`);
    }
    await withKeys(config.storePath, async (keys) => {
      const { key, record } = await keys.add({ tier: opts.tier, name: opts.name });
      if (opts.json) printJson({ ...record, key });
      else {
        process.stderr.write(`Created ${record.id} (tier ${record.tier}${record.name ? `, name ${record.name}` : ''}). Store the key now: it is not shown again.\n`);
        process.stdout.write(`${key}\n`);
      }
    });
  });

  example(withJson(withConfig(keys.command('list').description('list API keys (id, tier, name, hint, created, revoked); never the keys'))), [
    'pillars keys list --json',
  ]).action(async (opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    await withKeys(config.storePath, async (keys) => {
      const all = await keys.list();
      if (opts.json) return printJson(all);
      if (all.length === 0) {
        process.stdout.write('No API keys. Create one with `pillars keys add --tier TIER`.\n');
        return;
      }
      const rows = [['ID', 'TIER', 'NAME', 'KEY', 'CREATED', 'STATUS'], ...all.map((k) => [k.id, k.tier, k.name ?? '-', `pk_…${k.hint}`, k.createdAt.slice(0, 19), k.revokedAt ? `revoked ${k.revokedAt.slice(0, 19)}` : 'active'])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    });
  });

  example(withJson(withConfig(keys.command('revoke <id>').description('revoke an API key by id; the gateway answers 401 to it from then on'))), [
    'pillars keys revoke key_3f9a1c2b7d10',
  ]).action(async (id: string, opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    await withKeys(config.storePath, async (keys) => {
      const r = await keys.revoke(id);
      if (opts.json) printJson(r);
      else process.stdout.write(`Revoked ${r.id} (tier ${r.tier}) at ${r.revokedAt}.\n`);
    });
  });
}

/** The keys of the configured store (a SQLite file or PostgreSQL: every gateway on it sees the change at once). */
async function withKeys(location: string, fn: (keys: Awaitable<KeyStore>) => Promise<void>): Promise<void> {
  const store = await openStore(location);
  try {
    await fn((await openGatewayBackend(store)).keys);
  } finally {
    await store.close();
  }
}
