import type { ReportData } from '../../src/core/report.js';
import { Item } from '../../src/core/types.js';
import { openDb } from '../../src/store/db.js';
import { createRunStore } from '../../src/store/runs.js';

/**
 * Writes a fixture ReportData into a real SQLite store through the eval run repository, as a finished
 * run: its items, responses, judges' verdicts and gates. `createdAt` orders the runs (`last`).
 */
export function seedRun(dbPath: string, data: ReportData, createdAt: string): void {
  const db = openDb(dbPath);
  try {
    const store = createRunStore(db);
    store.createRun({
      id: data.run.id,
      created_at: createdAt,
      started_at: data.run.started_at,
      status: 'running',
      target: data.run.target,
      target_fingerprint: `fp-${data.run.target}`,
      suites: data.run.suites,
      tier: data.run.tier,
      seed: 1,
      samples: 1,
      config: { seeded: true },
    });
    store.appendItems(
      data.run.id,
      data.items.map((i, seq) => ({
        seq,
        sample: 0,
        suite: data.run.suites[0] ?? 'fixture',
        item: Item.parse({ id: i.id, prompt: i.prompt, pillar: i.pillar, policy: i.policy, kind: i.kind, expected: i.expected, source: i.source, lang: i.lang }),
      })),
    );
    store.sealItems(data.run.id, data.items.length);
    store.writeResults(
      data.run.id,
      data.items.map((i, seq) => ({
        response: { seq, text: i.response, error: null, cached: false, attempts: 1 },
        judgement: { seq, label: i.verdict, passed: i.passed, score: i.judges[0]?.score ?? null, verdicts: i.judges },
      })),
    );
    store.setGates(data.run.id, data.gates);
    store.setStatus(data.run.id, 'done', data.run.finished_at);
  } finally {
    db.close();
  }
}
