import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { createKeyStore } from '../../gateway/keys.js';
import { loadPack } from '../../policy/load.js';
import { openDb } from '../../store/db.js';
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
  ).action((opts: CommonOpts & { tier: string; name?: string }) => {
    const { config } = cliEnv(opts);
    const pack = loadPack(config.policyPath).pack;
    if (!pack.tiers.includes(opts.tier)) {
      throw new UserError(`--tier: unknown tier "${opts.tier}" (the pack ${pack.id} defines: ${pack.tiers.join(', ')})`);
    }
    const db = openDb(config.storePath);
    try {
      const { key, record } = createKeyStore(db).add({ tier: opts.tier, name: opts.name });
      if (opts.json) printJson({ ...record, key });
      else {
        process.stderr.write(`Created ${record.id} (tier ${record.tier}${record.name ? `, name ${record.name}` : ''}). Store the key now: it is not shown again.\n`);
        process.stdout.write(`${key}\n`);
      }
    } finally {
      db.close();
    }
  });

  example(withJson(withConfig(keys.command('list').description('list API keys (id, tier, name, hint, created, revoked); never the keys'))), [
    'pillars keys list --json',
  ]).action((opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    const db = openDb(config.storePath);
    try {
      const all = createKeyStore(db).list();
      if (opts.json) return printJson(all);
      if (all.length === 0) {
        process.stdout.write('No API keys. Create one with `pillars keys add --tier TIER`.\n');
        return;
      }
      const rows = [['ID', 'TIER', 'NAME', 'KEY', 'CREATED', 'STATUS'], ...all.map((k) => [k.id, k.tier, k.name ?? '-', `pk_…${k.hint}`, k.createdAt.slice(0, 19), k.revokedAt ? `revoked ${k.revokedAt.slice(0, 19)}` : 'active'])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    } finally {
      db.close();
    }
  });

  example(withJson(withConfig(keys.command('revoke <id>').description('revoke an API key by id; the gateway answers 401 to it from then on'))), [
    'pillars keys revoke key_3f9a1c2b7d10',
  ]).action((id: string, opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    const db = openDb(config.storePath);
    try {
      const r = createKeyStore(db).revoke(id);
      if (opts.json) printJson(r);
      else process.stdout.write(`Revoked ${r.id} (tier ${r.tier}) at ${r.revokedAt}.\n`);
    } finally {
      db.close();
    }
  });
}
