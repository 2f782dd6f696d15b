import type { Verdict } from '../core/types.js';

/**
 * Agreement between judges and human labels: Cohen's kappa (chance-corrected agreement).
 */

/** Cohen's kappa of two equally long label lists. 1 = perfect, 0 = chance, < 0 = worse than chance. */
export function cohensKappa(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new Error(`cohensKappa: lists differ in length (${a.length} vs ${b.length})`);
  const n = a.length;
  if (n === 0) return Number.NaN;
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  let same = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) same++;
    ca.set(x, (ca.get(x) ?? 0) + 1);
    cb.set(y, (cb.get(y) ?? 0) + 1);
  }
  const po = same / n;
  let pe = 0;
  for (const [k, v] of ca) pe += (v / n) * ((cb.get(k) ?? 0) / n);
  if (pe === 1) return po === 1 ? 1 : 0;
  return (po - pe) / (1 - pe);
}

/** Which human label key a judge's label is compared with, and how human values map to the judge's. */
export const LABEL_KEYS: Record<string, string> = {
  refusal: 'refusal',
  llm: 'refusal',
  final: 'refusal',
  violation: 'violation',
  harm: 'harm',
  choice: 'choice',
  keyword: 'keyword',
};

/** Human labels are written loosely (yes/no, true/false); bring them to the judges' vocabulary. */
export function normalizeHumanLabel(key: string, value: string): string {
  const v = value.trim().toLowerCase();
  if (key === 'violation') {
    if (['yes', 'true', '1', 'violation', 'unsafe', 'harmful'].includes(v)) return 'violation';
    if (['no', 'false', '0', 'ok', 'safe', 'none'].includes(v)) return 'ok';
  }
  if (key === 'harm') {
    if (['yes', 'true', '1', 'harmful', 'unsafe', 'violation', 'jailbroken'].includes(v)) return 'harmful';
    if (['no', 'false', '0', 'ok', 'safe', 'harmless', 'none'].includes(v)) return 'ok';
  }
  if (key === 'refusal') {
    if (v === 'refusal' || v === 'refuse') return 'refused';
    if (v === 'comply' || v === 'compliance') return 'complied';
    if (v === 'deflect' || v === 'deflection') return 'deflected';
    if (v === 'partial' || v === 'partial_refusal' || v === 'partial refusal') return 'partial';
    if (v === 'full_refusal' || v === 'refused') return 'refused';
    if (v === 'full_compliance' || v === 'complied') return 'complied';
  }
  return v;
}

export interface JudgeAgreement {
  judge: string;
  labelKey: string;
  /** Rows that carried a human label and a judge label (judge errors excluded). */
  n: number;
  /** Raw agreement rate. */
  agreement: number;
  kappa: number;
  /** confusion[human][judge] = count. */
  confusion: Record<string, Record<string, number>>;
  /** Rows where the judge returned `error` (not counted in n). */
  errors: number;
}

export interface AgreementRow {
  labels?: Record<string, string>;
  verdicts: Verdict[];
}

/** Each judge's agreement with the human labels the rows carry. */
export function agreementReport(rows: Iterable<AgreementRow>, opts: { keys?: Record<string, string> } = {}): JudgeAgreement[] {
  const keys = { ...LABEL_KEYS, ...opts.keys };
  const pairs = new Map<string, { human: string[]; judged: string[]; errors: number; key: string }>();
  for (const row of rows) {
    if (!row.labels) continue;
    for (const v of row.verdicts) {
      const key = keys[v.judge] ?? v.judge;
      const human = row.labels[key];
      if (human === undefined) continue;
      const acc = pairs.get(v.judge) ?? { human: [], judged: [], errors: 0, key };
      if (v.label === 'error') acc.errors++;
      else {
        acc.human.push(normalizeHumanLabel(key, human));
        acc.judged.push(v.label);
      }
      pairs.set(v.judge, acc);
    }
  }
  const out: JudgeAgreement[] = [];
  for (const [judge, acc] of pairs) {
    const confusion: Record<string, Record<string, number>> = {};
    let same = 0;
    acc.human.forEach((h, i) => {
      const j = acc.judged[i]!;
      if (h === j) same++;
      const row = (confusion[h] ??= {});
      row[j] = (row[j] ?? 0) + 1;
    });
    const n = acc.human.length;
    out.push({ judge, labelKey: acc.key, n, agreement: n ? same / n : Number.NaN, kappa: cohensKappa(acc.human, acc.judged), confusion, errors: acc.errors });
  }
  return out.sort((a, b) => a.judge.localeCompare(b.judge));
}

/** The refusal labels on the refusal side of the binary split (everything but `complied`). */
export function binaryRefusal(label: string): 'complied' | 'refusal' {
  return label === 'complied' ? 'complied' : 'refusal';
}

export interface BinaryAgreement {
  n: number;
  agreement: number;
  kappa: number;
  /** confusion[human][judge] over complied | refusal. */
  confusion: Record<string, Record<string, number>>;
}

/** Agreement on compliance vs any refusal (refused, deflected, partial), from a 4-way confusion matrix. */
export function binaryAgreement(confusion: Record<string, Record<string, number>>): BinaryAgreement {
  const human: string[] = [];
  const judged: string[] = [];
  const out: Record<string, Record<string, number>> = {};
  for (const [h, row] of Object.entries(confusion)) {
    for (const [j, n] of Object.entries(row)) {
      const hb = binaryRefusal(h);
      const jb = binaryRefusal(j);
      (out[hb] ??= {})[jb] = (out[hb]![jb] ?? 0) + n;
      for (let i = 0; i < n; i++) {
        human.push(hb);
        judged.push(jb);
      }
    }
  }
  const same = human.filter((h, i) => h === judged[i]).length;
  return { n: human.length, agreement: human.length ? same / human.length : Number.NaN, kappa: cohensKappa(human, judged), confusion: out };
}
