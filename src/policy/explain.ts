import { LEVEL_NAMES, LEVELS, PILLAR_TITLES, type Action, type Level, type PillarId, type Severity } from '../core/pillars.js';
import { UserError } from '../core/errors.js';
import { isExpired, todayUtc } from './effective.js';
import { regulationTitle } from './regulations.js';
import { suggest } from './load.js';
import type { PolicyException, PolicyPack, TaxonomyMapping } from './schema.js';

/** `pillars policy explain ID`: one policy in words, as data (for --json) and as text. */

export interface Explanation {
  pack: { id: string; version: string };
  id: string;
  title: string;
  description: string | null;
  pillar: PillarId;
  pillarTitle: string;
  topic: string;
  severity: Severity;
  boundary: { disallowed: string; allowed: string };
  levels: { level: Level; name: string; action: Action; behaviour: string }[];
  deflection: string | null;
  exceptions: (PolicyException & { expired: boolean; unlocks: string })[];
  regulations: { id: string; title: string | null }[];
  /** External hazard taxonomies (null when the pack does not map the policy). */
  taxonomy: TaxonomyMapping | null;
  owners: string[];
  examples: { text: string; level: Level }[];
}

function behaviour(action: Action, deflection: string | undefined): string {
  switch (action) {
    case 'allow':
      return 'answer fully';
    case 'deflect':
      return deflection ? 'decline the specifics and offer the safe alternative (deflection text)' : 'decline the specifics and offer a safe alternative';
    case 'refuse':
      return 'refuse';
    case 'redact':
      return 'answer with personal data redacted';
  }
}

export function explainPolicy(input: { pack: PolicyPack; id: string; today?: string }): Explanation {
  const { pack } = input;
  const today = input.today ?? todayUtc();
  const p = pack.policies.find((x) => x.id === input.id) ?? pack.policies.find((x) => x.topic === input.id);
  if (!p) {
    throw new UserError(`no policy "${input.id}" in pack ${pack.id}${suggest(input.id, pack.policies.map((x) => x.id))}; policies: ${pack.policies.map((x) => x.id).join(', ')}`, {
      code: 'not_found',
    });
  }
  const ladder = p.levels as Record<string, Action>;
  return {
    pack: { id: pack.id, version: pack.version },
    id: p.id,
    title: p.title,
    description: p.description ?? null,
    pillar: p.pillar,
    pillarTitle: PILLAR_TITLES[p.pillar],
    topic: p.topic,
    severity: p.severity,
    boundary: p.boundary,
    levels: LEVELS.map((level) => {
      const action = ladder[String(level)] ?? 'refuse';
      return { level, name: LEVEL_NAMES[level], action, behaviour: behaviour(action, p.deflection) };
    }),
    deflection: p.deflection ?? null,
    exceptions: p.exceptions.map((ex) => {
      const expired = isExpired(ex, today);
      const lifted = LEVELS.filter((l) => l <= ex.upTo && ladder[String(l)] !== 'allow');
      const unlocks = expired
        ? 'nothing (expired)'
        : lifted.length
          ? `allow at level${lifted.length > 1 ? 's' : ''} ${lifted.join(', ')}`
          : 'nothing beyond the ladder (levels up to upTo are already allowed)';
      return { ...ex, expired, unlocks };
    }),
    regulations: p.regulations.map((id) => ({ id, title: regulationTitle(id, pack.regulations) })),
    taxonomy: p.taxonomy ?? null,
    owners: p.owners ?? pack.owners,
    examples: p.examples.map((e) => ({ text: e.text, level: e.level })),
  };
}

const TAXONOMY_NAMES: [keyof TaxonomyMapping, string][] = [
  ['mlcommons', 'MLCommons AILuminate'],
  ['llamaguard3', 'Llama Guard 3'],
  ['openai', 'OpenAI moderation'],
];

function taxonomyLines(t: TaxonomyMapping | null): string[] {
  if (!t) return ['  not mapped'];
  return TAXONOMY_NAMES.map(([key, name]) => {
    const codes = t[key];
    return `  ${name.padEnd(21)} ${codes === undefined ? 'not mapped' : codes.length ? codes.join(', ') : 'no counterpart'}`;
  });
}

export function formatExplanation(e: Explanation): string {
  const L: string[] = [];
  L.push(`${e.id}: ${e.title}`);
  L.push(`  pillar ${e.pillar} (${e.pillarTitle}) · topic ${e.topic} · severity ${e.severity} · pack ${e.pack.id} ${e.pack.version}`);
  if (e.description) L.push(`\n${e.description}`);
  L.push('\nBoundary');
  L.push(`  disallowed: ${e.boundary.disallowed}`);
  L.push(`  allowed:    ${e.boundary.allowed}`);
  L.push('\nBehaviour by level');
  for (const l of e.levels) L.push(`  ${l.level} ${l.name.padEnd(24)} ${l.action.padEnd(8)} ${l.behaviour}`);
  if (e.deflection) L.push(`\nDeflection: ${e.deflection}`);
  L.push('\nExceptions');
  if (e.exceptions.length === 0) L.push('  none: the ladder applies to every tier and context');
  for (const x of e.exceptions) {
    L.push(`  context ${x.context}: tiers ${x.tiers.join(', ')}; up to level ${x.upTo} (${LEVEL_NAMES[x.upTo]}); unlocks ${x.unlocks}`);
    const extra = [
      `monitoring ${x.monitoring}`,
      x.adapter ? `adapter ${x.adapter}` : null,
      x.approver ? `approver ${x.approver}` : null,
      x.expires ? `expires ${x.expires}${x.expired ? ' (EXPIRED)' : ''}` : 'no expiry',
    ].filter(Boolean);
    L.push(`    ${extra.join('; ')}`);
    if (x.note) L.push(`    ${x.note}`);
  }
  L.push('\nRegulations');
  if (e.regulations.length === 0) L.push('  none referenced');
  for (const r of e.regulations) L.push(`  ${r.id}${r.title ? `: ${r.title}` : ''}`);
  L.push('\nTaxonomy');
  L.push(...taxonomyLines(e.taxonomy));
  L.push(`\nOwners: ${e.owners.join(', ')}`);
  if (e.examples.length) {
    L.push('\nExamples');
    for (const x of e.examples) L.push(`  [${x.level}] ${x.text}`);
  }
  return `${L.join('\n')}\n`;
}
