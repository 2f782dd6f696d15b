import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/gateway/audit.js';
import { createKeyStore } from '../../src/gateway/keys.js';
import { openDb } from '../../src/store/db.js';
import { ACME, storeBytes, tempDir } from './helpers.js';
import { runCli } from '../helpers/cli.js';

/** `pillars keys` and `pillars audit` through the CLI program, in process (`pillars serve` runs as a child in serve.test.ts). */

const cli = runCli;

type Result = { code: number; out: string; err: string };

/** Calls one after the other (the CLI runs in this process and captures stdout). */
async function all<const T extends readonly (readonly string[])[]>(calls: T): Promise<{ [K in keyof T]: Result }> {
  const outs: Result[] = [];
  for (const c of calls) outs.push(await cli([...c]));
  return outs as { [K in keyof T]: Result };
}

describe('pillars keys / audit', () => {
  const tmp = tempDir();
  const config = join(tmp.dir, 'pillars.yaml');
  const store = join(tmp.dir, 'store.db');
  beforeAll(() => writeFileSync(config, `policy: ${ACME}\nstore: store.db\n`));
  afterAll(() => tmp.cleanup());

  it('adds, lists and revokes keys; the key is printed once and never stored', async () => {
    // Independent calls run side by side to keep the suite fast.
    const [add, json] = await all([
      ['keys', 'add', '--tier', 'trusted-researcher', '--name', 'lab', '--config', config],
      ['keys', 'add', '--tier', 'enterprise', '--json', '--config', config],
    ]);
    expect(add.code).toBe(0);
    const key = add.out.trim();
    expect(key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(add.err).toMatch(/Created key_[0-9a-f]{12} \(tier trusted-researcher, name lab\)/);

    const made = JSON.parse(json.out) as { id: string; key: string; tier: string };
    expect(made.tier).toBe('enterprise');

    const [list, table] = await all([['keys', 'list', '--json', '--config', config], ['keys', 'list', '--config', config]]);
    const rows = JSON.parse(list.out) as { id: string; tier: string; name: string | null; revokedAt: string | null }[];
    expect(rows.map((r) => r.tier).sort()).toEqual(['enterprise', 'trusted-researcher']);
    expect(list.out).not.toContain(key);
    expect(table.out).toMatch(/ID\s+TIER\s+NAME/);
    expect(table.out).toContain(`pk_…${key.slice(-4)}`);

    const db = openDb(store);
    try {
      expect(createKeyStore(db).lookup(key)?.tier).toBe('trusted-researcher');
    } finally {
      db.close();
    }
    const rev = await cli(['keys', 'revoke', made.id, '--config', config]);
    expect(rev.code).toBe(0);
    const db2 = openDb(store);
    try {
      expect(createKeyStore(db2).lookup(made.key)).toBeNull();
    } finally {
      db2.close();
    }
    const raw = storeBytes(store);
    expect(raw).not.toContain(key);
    expect(raw).not.toContain(made.key);
  });

  it('rejects an unknown tier and an unknown id with exit 2 and one clear line', async () => {
    const [bad, missing] = await all([['keys', 'add', '--tier', 'gold', '--config', config], ['keys', 'revoke', 'key_nope', '--config', config]]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown tier "gold".*public, enterprise, trusted-researcher/);
    expect(bad.err).not.toMatch(/\n\s+at /);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no API key with id "key_nope"/);
  });

  it('verifies the audit log (0 intact, 1 naming the edited record) and exports JSONL', async () => {
    const db = openDb(store);
    const log = createAuditLog(db);
    for (let i = 0; i < 5; i++) {
      log.append({ ts: new Date().toISOString(), requestId: `r${i}`, keyId: null, tier: 'public', context: null, route: 'chat', action: 'allow', policy: null, pillar: null, topic: null, level: 0, score: 0.1, stage: 'embedded', monitoring: 'standard', detail: { i } });
    }
    log.close();
    const [ok, exp, none, badSince] = await all([
      ['audit', 'verify', '--config', config],
      ['audit', 'export', '--since', '1h', '--config', config],
      ['audit', 'export', '--since', '2999-01-01', '--config', config],
      ['audit', 'export', '--since', 'yesterday', '--config', config],
    ]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/intact: 5 records/);
    expect(exp.out.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(none.out).toBe('');

    db.prepare("UPDATE gateway_audit SET action = 'refuse' WHERE seq = 3").run();
    db.close();
    const [broken, text] = await all([['audit', 'verify', '--json', '--config', config], ['audit', 'verify', '--config', config]]);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.out)).toMatchObject({ ok: false, firstBad: { seq: 3 } });
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/BROKEN at record 3: hash mismatch/);
    expect(badSince.code).toBe(2);
  });
});
