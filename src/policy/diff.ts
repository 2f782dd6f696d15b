import { LEVEL_NAMES, LEVELS, type Action, type Level } from '../core/pillars.js';
import { isExpired, packContexts, todayUtc, topicAction, type Cell } from './effective.js';
import type { Policy, PolicyException, PolicyPack } from './schema.js';

/**
 * A behavioural diff of two packs. For every cell (topic, level, tier, context) of the topics both
 * packs cover, the effective action (src/policy/effective.ts) is computed in each pack and the
 * cells that changed are grouped by (topic, level, from, to), so one edit of a ladder reads as one
 * change however many tier × context cells it moves. Exceptions, severities, policies and the
 * version are compared alongside.
 */

export interface CellRef {
  tier: string;
  /** null: no context declared. */
  context: string | null;
}

export interface BehaviourChange {
  topic: string;
  policies: string[];
  level: Level;
  levelName: string;
  from: Action;
  to: Action;
  /** Every changed cell of this group. */
  cells: CellRef[];
  /** True when every tier × context cell of the level changed. */
  allCells: boolean;
  /** Human summary of the cells ("every tier and context", or per context). */
  where: string;
}

export type ExceptionChangeKind = 'added' | 'removed' | 'widened' | 'narrowed' | 'changed';

export interface ExceptionChange {
  policy: string;
  context: string;
  kind: ExceptionChangeKind;
  changes: string[];
}

export interface FieldChange {
  policy: string;
  field: 'severity' | 'pillar' | 'topic' | 'title' | 'boundary' | 'regulations' | 'owners' | 'deflection' | 'taxonomy';
  from: string;
  to: string;
}

export interface PackDiff {
  old: { id: string; version: string };
  new: { id: string; version: string };
  versionChanged: boolean;
  behaviour: BehaviourChange[];
  changedCells: number;
  exceptions: ExceptionChange[];
  severity: FieldChange[];
  fields: FieldChange[];
  policies: { added: string[]; removed: string[] };
  tiers: { added: string[]; removed: string[] };
  /** Labelled examples per policy (its own and the pack's bulk examples) whose count changed. */
  examples: { policy: string; from: number; to: number }[];
  /** Advice, e.g. behaviour changed but the version did not. */
  notes: string[];
  identical: boolean;
}

const MONITORING_RANK = { none: 0, standard: 1, full: 2 } as const;

function exceptionKey(policy: string, ex: PolicyException, n: number): string {
  return `${policy}\u0000${ex.context}\u0000${n}`;
}

function indexExceptions(pack: PolicyPack): Map<string, { policy: string; ex: PolicyException }> {
  const m = new Map<string, { policy: string; ex: PolicyException }>();
  for (const p of pack.policies) {
    const count = new Map<string, number>();
    for (const ex of p.exceptions) {
      const n = count.get(ex.context) ?? 0;
      count.set(ex.context, n + 1);
      m.set(exceptionKey(p.id, ex, n), { policy: p.id, ex });
    }
  }
  return m;
}

function compareException(policy: string, a: PolicyException, b: PolicyException): ExceptionChange | null {
  const wider: string[] = [];
  const narrower: string[] = [];
  const other: string[] = [];
  const added = b.tiers.filter((t) => !a.tiers.includes(t));
  const removed = a.tiers.filter((t) => !b.tiers.includes(t));
  if (added.length) wider.push(`tiers added: ${added.join(', ')}`);
  if (removed.length) narrower.push(`tiers removed: ${removed.join(', ')}`);
  if (b.upTo > a.upTo) wider.push(`upTo raised ${a.upTo} → ${b.upTo}`);
  if (b.upTo < a.upTo) narrower.push(`upTo lowered ${a.upTo} → ${b.upTo}`);
  const ea = a.expires ?? '9999-12-31';
  const eb = b.expires ?? '9999-12-31';
  if (eb > ea) wider.push(`expiry extended ${a.expires ?? 'never'} → ${b.expires ?? 'never'}`);
  if (eb < ea) narrower.push(`expiry shortened ${a.expires ?? 'never'} → ${b.expires ?? 'never'}`);
  if (MONITORING_RANK[b.monitoring] < MONITORING_RANK[a.monitoring]) wider.push(`monitoring reduced ${a.monitoring} → ${b.monitoring}`);
  if (MONITORING_RANK[b.monitoring] > MONITORING_RANK[a.monitoring]) narrower.push(`monitoring increased ${a.monitoring} → ${b.monitoring}`);
  if ((a.adapter ?? '') !== (b.adapter ?? '')) other.push(`adapter ${a.adapter ?? 'none'} → ${b.adapter ?? 'none'}`);
  if ((a.approver ?? '') !== (b.approver ?? '')) other.push(`approver ${a.approver ?? 'none'} → ${b.approver ?? 'none'}`);
  const changes = [...wider, ...narrower, ...other];
  if (changes.length === 0) return null;
  const kind: ExceptionChangeKind = wider.length && !narrower.length ? 'widened' : narrower.length && !wider.length ? 'narrowed' : 'changed';
  return { policy, context: b.context, kind, changes };
}

function describeException(ex: PolicyException, today: string): string {
  return `tiers ${ex.tiers.join(', ')}, upTo ${ex.upTo}, monitoring ${ex.monitoring}${ex.adapter ? `, adapter ${ex.adapter}` : ''}${
    ex.expires ? `, expires ${ex.expires}${isExpired(ex, today) ? ' (expired)' : ''}` : ''
  }`;
}

/** "every tier and context", or "no context: public, enterprise; security-testing: enterprise". */
export function summariseCells(cells: CellRef[], tiers: string[], contexts: (string | null)[]): string {
  if (cells.length === tiers.length * contexts.length) return 'every tier and context';
  const byContext = (set: CellRef[]): string =>
    contexts
      .map((c) => {
        const ts = set.filter((x) => x.context === c).map((x) => x.tier);
        if (ts.length === 0) return null;
        return `${c === null ? 'no context' : `context ${c}`}: ${ts.length === tiers.length ? 'every tier' : ts.join(', ')}`;
      })
      .filter((x): x is string => x !== null)
      .join('; ');
  const has = new Set(cells.map((c) => `${c.tier}\u0000${c.context}`));
  const rest: CellRef[] = [];
  for (const context of contexts) for (const tier of tiers) if (!has.has(`${tier}\u0000${context}`)) rest.push({ tier, context });
  // Name the smaller side: "every tier and context except ..." reads better when few cells stayed.
  return rest.length < cells.length ? `every tier and context except ${byContext(rest)} (unchanged)` : byContext(cells);
}

function policyFields(a: Policy, b: Policy): FieldChange[] {
  const out: FieldChange[] = [];
  const cmp = (field: FieldChange['field'], x: string, y: string): void => {
    if (x !== y) out.push({ policy: b.id, field, from: x, to: y });
  };
  cmp('severity', a.severity, b.severity);
  cmp('pillar', a.pillar, b.pillar);
  cmp('topic', a.topic, b.topic);
  cmp('title', a.title, b.title);
  cmp('boundary', `disallowed: ${a.boundary.disallowed} | allowed: ${a.boundary.allowed}`, `disallowed: ${b.boundary.disallowed} | allowed: ${b.boundary.allowed}`);
  cmp('regulations', [...a.regulations].sort().join(', '), [...b.regulations].sort().join(', '));
  cmp('owners', (a.owners ?? []).join(', '), (b.owners ?? []).join(', '));
  cmp('deflection', a.deflection ?? '', b.deflection ?? '');
  cmp('taxonomy', taxonomyText(a.taxonomy), taxonomyText(b.taxonomy));
  return out;
}

/** `mlcommons: vcr; llamaguard3: S1; openai: violence`, keys in a fixed order, codes sorted; '' when unmapped. */
function taxonomyText(t: Policy['taxonomy']): string {
  if (!t) return '';
  return (['mlcommons', 'llamaguard3', 'openai'] as const)
    .filter((k) => t[k] !== undefined)
    .map((k) => `${k}: ${[...t[k]!].sort().join(', ')}`)
    .join('; ');
}

export function diffPacks(input: { old: PolicyPack; new: PolicyPack; today?: string }): PackDiff {
  const { old: a, new: b } = input;
  const today = input.today ?? todayUtc();
  const tiers = [...new Set([...a.tiers, ...b.tiers])];
  const contexts: (string | null)[] = [null, ...new Set([...packContexts(a), ...packContexts(b)])];
  const topicsA = new Set(a.policies.map((p) => p.topic));
  const topics = [...new Set(b.policies.map((p) => p.topic))].filter((t) => topicsA.has(t)).sort();

  const groups = new Map<string, BehaviourChange>();
  let changedCells = 0;
  for (const topic of topics) {
    for (const level of LEVELS) {
      for (const context of contexts) {
        for (const tier of tiers) {
          const cell: Cell = { level, tier, context };
          const x = topicAction({ pack: a, topic, cell, today });
          const y = topicAction({ pack: b, topic, cell, today });
          if (!x || !y || x.action === y.action) continue;
          changedCells++;
          const key = `${topic}|${level}|${x.action}|${y.action}`;
          let g = groups.get(key);
          if (!g) {
            g = { topic, policies: y.policies, level, levelName: LEVEL_NAMES[level], from: x.action, to: y.action, cells: [], allCells: false, where: '' };
            groups.set(key, g);
          }
          g.cells.push({ tier, context });
        }
      }
    }
  }
  const behaviour = [...groups.values()];
  for (const g of behaviour) {
    g.allCells = g.cells.length === tiers.length * contexts.length;
    g.where = summariseCells(g.cells, tiers, contexts);
  }

  const ea = indexExceptions(a);
  const eb = indexExceptions(b);
  const exceptions: ExceptionChange[] = [];
  for (const [k, { policy, ex }] of eb) {
    const before = ea.get(k);
    if (!before) exceptions.push({ policy, context: ex.context, kind: 'added', changes: [describeException(ex, today)] });
    else {
      const c = compareException(policy, before.ex, ex);
      if (c) exceptions.push(c);
    }
  }
  for (const [k, { policy, ex }] of ea) {
    if (!eb.has(k)) exceptions.push({ policy, context: ex.context, kind: 'removed', changes: [describeException(ex, today)] });
  }

  const byIdA = new Map(a.policies.map((p) => [p.id, p]));
  const byIdB = new Map(b.policies.map((p) => [p.id, p]));
  const fields: FieldChange[] = [];
  for (const [id, p] of byIdB) {
    const q = byIdA.get(id);
    if (q) fields.push(...policyFields(q, p));
  }
  const severity = fields.filter((f) => f.field === 'severity');
  const added = [...byIdB.keys()].filter((id) => !byIdA.has(id));
  const removed = [...byIdA.keys()].filter((id) => !byIdB.has(id));
  const tiersAdded = b.tiers.filter((t) => !a.tiers.includes(t));
  const tiersRemoved = a.tiers.filter((t) => !b.tiers.includes(t));

  const countExamples = (pack: PolicyPack): Map<string, number> => {
    const m = new Map<string, number>();
    for (const p of pack.policies) m.set(p.id, (m.get(p.id) ?? 0) + p.examples.length);
    for (const e of pack.examples) if (e.policy !== null) m.set(e.policy, (m.get(e.policy) ?? 0) + 1);
    return m;
  };
  const xa = countExamples(a);
  const xb = countExamples(b);
  const examples = [...byIdB.keys()]
    .filter((id) => byIdA.has(id) && (xa.get(id) ?? 0) !== (xb.get(id) ?? 0))
    .map((id) => ({ policy: id, from: xa.get(id) ?? 0, to: xb.get(id) ?? 0 }));

  const versionChanged = a.version !== b.version;
  const identical =
    behaviour.length === 0 &&
    exceptions.length === 0 &&
    fields.length === 0 &&
    added.length === 0 &&
    removed.length === 0 &&
    tiersAdded.length === 0 &&
    tiersRemoved.length === 0 &&
    examples.length === 0;
  const notes: string[] = [];
  if (!identical && !versionChanged) notes.push(`the policy changed but its version did not (${b.version}): bump it and add a changelog entry`);
  if (versionChanged && !b.changelog.some((c) => c.version === b.version)) notes.push(`the changelog has no entry for version ${b.version}`);
  return {
    old: { id: a.id, version: a.version },
    new: { id: b.id, version: b.version },
    versionChanged,
    behaviour,
    changedCells,
    exceptions,
    severity,
    fields: fields.filter((f) => f.field !== 'severity'),
    policies: { added, removed },
    tiers: { added: tiersAdded, removed: tiersRemoved },
    examples,
    notes,
    identical,
  };
}

/** The diff as text for a terminal. */
export function formatDiff(d: PackDiff): string {
  const L: string[] = [];
  L.push(`${d.old.id} ${d.old.version} → ${d.new.id} ${d.new.version}${d.versionChanged ? '' : ' (version unchanged)'}`);
  if (d.identical) {
    L.push('No behavioural or structural differences.');
    return `${L.join('\n')}\n`;
  }
  L.push('');
  L.push(`Behaviour: ${d.behaviour.length} change${d.behaviour.length === 1 ? '' : 's'} (${d.changedCells} cell${d.changedCells === 1 ? '' : 's'} of topic × level × tier × context)`);
  for (const g of d.behaviour) {
    L.push(`  ${g.topic} (${g.policies.join(', ')}) level ${g.level} ${g.levelName}: ${g.from} → ${g.to}, ${g.where}`);
  }
  if (d.exceptions.length) {
    L.push('');
    L.push(`Exceptions: ${d.exceptions.length} change${d.exceptions.length === 1 ? '' : 's'}`);
    for (const e of d.exceptions) L.push(`  ${e.kind} ${e.policy} [${e.context}]: ${e.changes.join('; ')}`);
  }
  if (d.severity.length) {
    L.push('');
    L.push('Severity:');
    for (const s of d.severity) L.push(`  ${s.policy}: ${s.from} → ${s.to}`);
  }
  if (d.policies.added.length || d.policies.removed.length) {
    L.push('');
    L.push('Policies:');
    for (const id of d.policies.added) L.push(`  + ${id}`);
    for (const id of d.policies.removed) L.push(`  - ${id}`);
  }
  if (d.tiers.added.length || d.tiers.removed.length) {
    L.push('');
    L.push(`Tiers: ${[...d.tiers.added.map((t) => `+${t}`), ...d.tiers.removed.map((t) => `-${t}`)].join(' ')}`);
  }
  if (d.examples.length) {
    L.push('');
    L.push(`Examples: ${d.examples.map((e) => `${e.policy} ${e.from} → ${e.to}`).join(', ')}`);
  }
  if (d.fields.length) {
    L.push('');
    L.push('Other fields:');
    for (const f of d.fields) L.push(`  ${f.policy} ${f.field} changed`);
  }
  for (const n of d.notes) L.push(`\nnote: ${n}`);
  return `${L.join('\n')}\n`;
}
