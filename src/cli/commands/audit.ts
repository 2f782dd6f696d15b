import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { exportAudit, verifyAudit } from '../../gateway/audit.js';
import { openDb } from '../../store/db.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

/** `pillars audit verify|export`: the gateway's hash-chained audit log. */

/** `2026-11-21`, `2026-11-21T10:00:00Z`, or a look-back like `30m`, `24h`, `7d`. */
export function parseSince(v: string, now = new Date()): string {
  const rel = /^(\d+)([smhd])$/.exec(v.trim());
  if (rel) {
    const ms = Number(rel[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - ms).toISOString();
  }
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) throw new UserError(`--since: expected an ISO date/time (2026-11-21, 2026-11-21T10:00:00Z) or a look-back (30m, 24h, 7d), got "${v}"`);
  return new Date(t).toISOString();
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('verify and export the gateway audit log (a SHA-256 hash chain)');

  example(withJson(withConfig(audit.command('verify').description('check every link, hash and the head checkpoint; exit 1 naming the first bad record'))), [
    'pillars audit verify',
    'pillars audit verify --json --config pillars.yaml',
  ]).action((opts: CommonOpts) => {
    const { config } = cliEnv(opts);
    const db = openDb(config.storePath);
    try {
      const r = verifyAudit(db);
      if (opts.json) printJson(r);
      else if (r.ok) process.stdout.write(`audit log intact: ${r.records} records${r.head ? `, head ${r.head.hash.slice(0, 16)}… at seq ${r.head.seq}` : ''}\n`);
      else process.stdout.write(`audit log BROKEN at record ${r.firstBad!.seq}: ${r.firstBad!.reason} (${r.records} records verified before it)\n`);
      if (!r.ok) process.exitCode = 1;
    } finally {
      db.close();
    }
  });

  example(
    withConfig(
      audit
        .command('export')
        .description('print audit records as JSON lines, oldest first')
        .option('--since <time>', 'only records at or after this time (ISO date/time, or 30m, 24h, 7d)')
        .option('--format <format>', 'output format (jsonl)', 'jsonl'),
    ),
    ['pillars audit export --since 24h > audit.jsonl'],
  ).action((opts: CommonOpts & { since?: string; format: string }) => {
    if (opts.format !== 'jsonl') throw new UserError(`--format: unsupported format "${opts.format}" (supported: jsonl)`);
    const since = opts.since ? parseSince(opts.since) : undefined;
    const { config } = cliEnv(opts);
    const db = openDb(config.storePath);
    try {
      let buf = '';
      for (const row of exportAudit(db, { since })) {
        buf += `${JSON.stringify(row)}\n`;
        if (buf.length > 65_536) {
          process.stdout.write(buf);
          buf = '';
        }
      }
      process.stdout.write(buf);
    } finally {
      db.close();
    }
  });
}
