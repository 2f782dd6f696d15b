import type { Command } from 'commander';
import { section, type LoadedConfig } from '../../config/load.js';
import { UserError } from '../../core/errors.js';
import { exportAuditStore, verifyAuditStore, type VerifyOptions, type VerifyResult } from '../../gateway/audit.js';
import { anchorAuditStore } from '../../gateway/audit-anchor.js';
import type { AuditStore } from '../../store/audit-log.js';
import { openGatewayBackend } from '../../gateway/backend.js';
import { openStore, storeBackend } from '../../store/open.js';
import { defaultKeyPath, existingSigningKey, loadOrCreateSigningKey, readPublicKey } from '../../gateway/audit-key.js';
import { GatewayConfig } from '../../gateway/config.js';
import { storeError } from '../../store/db.js';
import { cliEnv, example, printJson, withConfig, withJson, type CommonOpts } from '../shared.js';

/** `pillars audit verify|anchor|export`: the gateway's hash-chained audit log and its signed checkpoints. */

/** The signing key file: --key, else gateway.audit.anchor.keyFile (relative to pillars.yaml), else beside the store. */
export function signingKeyPath(config: LoadedConfig, flag?: string): string | null {
  if (flag) return config.resolve(flag);
  const gw = section(config, 'gateway', GatewayConfig.prefault({}));
  if (gw.audit.anchor && gw.audit.anchor.keyFile) return config.resolve(gw.audit.anchor.keyFile);
  // A PostgreSQL store has no folder to keep a key beside: only a configured key file signs.
  return storeBackend(config.storePath) === 'postgres' ? null : defaultKeyPath(config.storePath);
}

/** Run `fn` over the audit log of the configured store; damaged SQLite pages become exit 2 naming the file. */
async function withAudit<T>(location: string, fn: (audit: AuditStore) => Promise<T>): Promise<T> {
  const store = await openStore(location);
  try {
    return await fn((await openGatewayBackend(store)).audit);
  } catch (e) {
    throw store.backend === 'sqlite' ? storeError(location, e) : e;
  } finally {
    await store.close();
  }
}

function checkpointLine(r: VerifyResult): string {
  const c = r.checkpoints;
  if (!c || c.count === 0) return '; no signed checkpoint yet (`pillars audit anchor`)';
  const key = c.keySource === 'pinned' ? `pinned key ${c.keyId}` : c.keySource === 'key-file' ? `key ${c.keyId} (from the key file)` : `key ${c.keyId} as stored with the checkpoints (not pinned: pass --public-key)`;
  return `; ${c.count} signed checkpoint${c.count === 1 ? '' : 's'}, the last at seq ${c.last!.seq} (${c.last!.ts}), ${key}${c.unanchored ? `; ${c.unanchored} record(s) after it not signed yet` : ''}`;
}

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

  example(
    withJson(
      withConfig(
        audit
          .command('verify')
          .description('check every link, hash and the head, and every signed checkpoint (signature, and that the chain still holds what it signed); exit 1 naming the first bad record')
          .option('--public-key <file>', 'the Ed25519 public key the checkpoints must be signed with (a copy kept away from the store; default: the signing key file when present)'),
      ),
    ),
    ['pillars audit verify', 'pillars audit verify --public-key /secure/audit-signing-key.pem.pub', 'pillars audit verify --json --config pillars.yaml'],
  ).action(async (opts: CommonOpts & { publicKey?: string }) => {
    const { config } = cliEnv(opts);
    let vopts: VerifyOptions = {};
    if (opts.publicKey) vopts = { publicKey: readPublicKey(config.resolve(opts.publicKey)), keySource: 'pinned', requireCheckpoint: true };
    else {
      const key = existingSigningKey(signingKeyPath(config));
      // A signing key exists, so checkpoints were made: records without any mean they were deleted.
      if (key) vopts = { publicKey: key.publicKey, keySource: 'key-file', requireCheckpoint: true };
    }
    const r = await withAudit(config.storePath, (a) => verifyAuditStore(a, vopts));
    if (opts.json) printJson(r);
    else if (r.ok) process.stdout.write(`audit log intact: ${r.records} records${r.head ? `, head ${r.head.hash.slice(0, 16)}… at seq ${r.head.seq}` : ''}${checkpointLine(r)}\n`);
    else process.stdout.write(`audit log BROKEN at record ${r.firstBad!.seq}: ${r.firstBad!.reason} (${r.records} records verified before it)\n`);
    if (!r.ok) process.exitCode = 1;
  });

  example(
    withJson(
      withConfig(
        audit
          .command('anchor')
          .description('sign the chain head with the Ed25519 audit key (created 0600 on first use, its public key beside it as .pub) and append the signed checkpoint')
          .option('--key <file>', 'the signing key file (default: gateway.audit.anchor.keyFile, else audit-signing-key.pem beside the store)'),
      ),
    ),
    ['pillars audit anchor', 'pillars audit anchor --key /secure/audit-signing-key.pem --json'],
  ).action(async (opts: CommonOpts & { key?: string }) => {
    const { config } = cliEnv(opts);
    const path = signingKeyPath(config, opts.key);
    if (!path) throw new UserError('--key: the store has no folder to keep the key beside (in memory, or PostgreSQL); give the signing key file with --key FILE or gateway.audit.anchor.keyFile');
    await withAudit(config.storePath, async (audit) => {
      const key = loadOrCreateSigningKey(path);
      const r = await anchorAuditStore(audit, key);
      const c = r.checkpoint;
      if (opts.json) {
        printJson({ anchored: r.anchored, ...(r.anchored ? {} : { reason: r.reason }), keyFile: path, publicKeyFile: `${path}.pub`, keyCreated: key.created, keyId: key.keyId, checkpoint: c });
        return;
      }
      if (key.created) process.stdout.write(`created the audit signing key ${path} (0600); its public key is ${path}.pub: keep a copy away from this machine\n`);
      if (r.anchored) process.stdout.write(`signed checkpoint ${r.checkpoint.id}: seq ${r.checkpoint.seq}, head ${r.checkpoint.hash.slice(0, 16)}…, key ${key.keyId}\n`);
      else if (r.reason === 'empty') process.stdout.write('the audit log is empty: nothing to sign\n');
      else process.stdout.write(`already signed: checkpoint ${c!.id} covers the head (seq ${c!.seq})\n`);
    });
  });

  example(
    withConfig(
      audit
        .command('export')
        .description('print audit records as JSON lines, oldest first; each signed checkpoint follows the record it signs as {"checkpoint": {...}}')
        .option('--since <time>', 'only records at or after this time (ISO date/time, or 30m, 24h, 7d)')
        .option('--format <format>', 'output format (jsonl)', 'jsonl'),
    ),
    ['pillars audit export --since 24h > audit.jsonl'],
  ).action(async (opts: CommonOpts & { since?: string; format: string }) => {
    if (opts.format !== 'jsonl') throw new UserError(`--format: unsupported format "${opts.format}" (supported: jsonl)`);
    const since = opts.since ? parseSince(opts.since) : undefined;
    const { config } = cliEnv(opts);
    await withAudit(config.storePath, async (audit) => {
      let buf = '';
      for await (const row of exportAuditStore(audit, { since })) {
        buf += `${JSON.stringify(row)}\n`;
        if (buf.length > 65_536) {
          process.stdout.write(buf);
          buf = '';
        }
      }
      process.stdout.write(buf);
    });
  });
}
