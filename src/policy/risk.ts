import { PILLARS, PILLAR_TITLES, type PillarId } from '../core/pillars.js';
import { UserError } from '../core/errors.js';
import { isProductKind, PRODUCT_KINDS, PRODUCTS, type Harm } from './risk-catalog.js';
import type { PolicyPack } from './schema.js';

/**
 * `pillars risk assess`: the product's anticipated harms (risk-catalog.ts), each mapped to the
 * pack's policies that cover one of its topics; harms no policy covers are the gaps. Risk score =
 * likelihood (1-3) × impact (1-4); rating critical ≥ 9, high ≥ 6, medium ≥ 3, else low.
 */

export type Rating = 'low' | 'medium' | 'high' | 'critical';

export interface RegisterEntry {
  id: string;
  pillar: PillarId;
  title: string;
  description: string;
  likelihood: Harm['likelihood'];
  impact: Harm['impact'];
  score: number;
  rating: Rating;
  topics: string[];
  /** Ids of the pack's policies that cover the harm. */
  policies: string[];
  /** Runtime controls outside the pack that cover it (e.g. `gateway.tools`: tool rules with approval). */
  controls: string[];
  covered: boolean;
  /** Topics of the harm no policy covers. */
  uncoveredTopics: string[];
  /** The strictest control: e.g. "transparency.impersonation: level 3 refuse". */
  treatment: string;
  /** How Pillars tests for the harm beyond text checks (image-generator harms: generated images read back and judged). */
  checks: string[];
}

export interface Gap {
  harm: string;
  pillar: PillarId;
  title: string;
  rating: Rating;
  topics: string[];
  recommendation: string;
}

export interface RiskRegister {
  product: { kind: string; title: string; description: string };
  pack: { id: string; version: string; path: string | null };
  harms: RegisterEntry[];
  gaps: Gap[];
  summary: {
    harms: number;
    covered: number;
    gaps: number;
    coverage: number;
    byPillar: Record<PillarId, { harms: number; covered: number }>;
    pillarsWithoutHarms: PillarId[];
    highestUncovered: Rating | null;
  };
}

const L_SCORE = { low: 1, medium: 2, high: 3 } as const;
const I_SCORE = { low: 1, medium: 2, high: 3, critical: 4 } as const;
const RATING_ORDER: Rating[] = ['low', 'medium', 'high', 'critical'];

export function rating(score: number): Rating {
  return score >= 9 ? 'critical' : score >= 6 ? 'high' : score >= 3 ? 'medium' : 'low';
}

/** A runtime control that covers a harm topic outside the pack (the gateway's tool rules cover `excessive_agency`). */
export interface RiskControl {
  id: string;
  topic: string;
  treatment: string;
}

export function assessRisk(input: { product: string; pack: PolicyPack; packPath?: string | null; controls?: RiskControl[] }): RiskRegister {
  if (!isProductKind(input.product)) {
    throw new UserError(`unknown product kind "${input.product}"; kinds: ${PRODUCT_KINDS.join(', ')}`, { code: 'usage' });
  }
  const product = PRODUCTS[input.product];
  const { pack } = input;
  const harms: RegisterEntry[] = product.harms.map((harm) => {
    const covering = pack.policies.filter((p) => harm.topics.includes(p.topic));
    const controls = (input.controls ?? []).filter((c) => harm.topics.includes(c.topic));
    const covered = new Set([...covering.map((p) => p.topic), ...controls.map((c) => c.topic)]);
    const score = L_SCORE[harm.likelihood] * I_SCORE[harm.impact];
    const treatment = covering.length
      ? covering
          .map((p) => {
            const ladder = p.levels as Record<string, string>;
            const first = ['0', '1', '2', '3'].find((l) => ladder[l] !== 'allow');
            return first === undefined ? `${p.id}: allowed at every level` : `${p.id}: ${ladder[first]} from level ${first}${p.exceptions.length ? ` (${p.exceptions.length} exception${p.exceptions.length > 1 ? 's' : ''})` : ''}`;
          })
          .join('; ')
      : controls.length
        ? ''
        : 'none: no policy of the pack covers this harm';
    const withControls = [treatment, ...controls.map((c) => c.treatment)].filter(Boolean).join('; ');
    return {
      id: harm.id,
      pillar: harm.pillar,
      title: harm.title,
      description: harm.description,
      likelihood: harm.likelihood,
      impact: harm.impact,
      score,
      rating: rating(score),
      topics: harm.topics,
      policies: covering.map((p) => p.id),
      controls: controls.map((c) => c.id),
      covered: covering.length > 0 || controls.length > 0,
      uncoveredTopics: harm.topics.filter((t) => !covered.has(t)),
      treatment: withControls,
      checks: harm.checks ?? [],
    };
  });
  harms.sort((a, b) => b.score - a.score || PILLARS.indexOf(a.pillar) - PILLARS.indexOf(b.pillar) || a.id.localeCompare(b.id));
  const gaps: Gap[] = harms
    .filter((e) => !e.covered)
    .map((e) => ({
      harm: e.id,
      pillar: e.pillar,
      title: e.title,
      rating: e.rating,
      topics: e.topics,
      recommendation: `add a ${e.pillar} policy with topic ${e.topics.join(' or ')} (boundary, level ladder, examples), or record a documented risk acceptance`,
    }));
  const byPillar = Object.fromEntries(PILLARS.map((p) => [p, { harms: 0, covered: 0 }])) as Record<PillarId, { harms: number; covered: number }>;
  for (const e of harms) {
    byPillar[e.pillar].harms++;
    if (e.covered) byPillar[e.pillar].covered++;
  }
  const covered = harms.filter((e) => e.covered).length;
  const uncoveredRatings = gaps.map((g) => RATING_ORDER.indexOf(g.rating));
  return {
    product: { kind: product.kind, title: product.title, description: product.description },
    pack: { id: pack.id, version: pack.version, path: input.packPath ?? null },
    harms,
    gaps,
    summary: {
      harms: harms.length,
      covered,
      gaps: gaps.length,
      coverage: harms.length ? Math.round((covered / harms.length) * 1000) / 1000 : 1,
      byPillar,
      pillarsWithoutHarms: PILLARS.filter((p) => byPillar[p].harms === 0),
      highestUncovered: uncoveredRatings.length ? RATING_ORDER[Math.max(...uncoveredRatings)]! : null,
    },
  };
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatRiskMarkdown(r: RiskRegister): string {
  const L: string[] = [];
  L.push(`# Risk register: ${r.product.title} (\`${r.product.kind}\`)`);
  L.push('');
  L.push(`${r.product.description} Assessed against policy pack \`${r.pack.id}\` ${r.pack.version}.`);
  L.push('');
  L.push(
    `**${r.summary.covered} of ${r.summary.harms} anticipated harms are covered by a policy; ${r.summary.gaps} gap${r.summary.gaps === 1 ? '' : 's'}${
      r.summary.highestUncovered ? ` (highest uncovered rating: ${r.summary.highestUncovered})` : ''
    }.**`,
  );
  L.push('');
  L.push('| # | Harm | Pillar | Likelihood | Impact | Rating | Policies | Covered |');
  L.push('|---|---|---|---|---|---|---|---|');
  r.harms.forEach((e, i) => {
    L.push(
      `| ${i + 1} | **${cell(e.title)}** (\`${e.id}\`): ${cell(e.description)} | ${PILLAR_TITLES[e.pillar]} | ${e.likelihood} | ${e.impact} | ${e.rating} (${e.score}) | ${
        e.policies.length || e.controls.length ? [...e.policies, ...e.controls].map((p) => `\`${p}\``).join(', ') : '—'
      } | ${e.covered ? 'yes' : '**GAP**'} |`,
    );
  });
  const checked = r.harms.filter((e) => e.checks.length > 0);
  if (checked.length) {
    L.push('');
    L.push('## Checks');
    L.push('');
    for (const e of checked) L.push(`- **${e.title}** (\`${e.id}\`): ${e.checks.join('; ')}.`);
  }
  L.push('');
  L.push('## Gaps');
  L.push('');
  if (r.gaps.length === 0) L.push('None: every anticipated harm is covered by at least one policy.');
  for (const g of r.gaps) L.push(`- **${g.title}** (\`${g.harm}\`, ${PILLAR_TITLES[g.pillar]}, ${g.rating}): ${g.recommendation}.`);
  L.push('');
  L.push('## Coverage by pillar');
  L.push('');
  L.push('| Pillar | Harms | Covered |');
  L.push('|---|---|---|');
  for (const p of PILLARS) L.push(`| ${PILLAR_TITLES[p]} | ${r.summary.byPillar[p].harms} | ${r.summary.byPillar[p].covered} |`);
  L.push('');
  L.push('Scores: likelihood (low 1, medium 2, high 3) × impact (low 1, medium 2, high 3, critical 4); rating critical ≥ 9, high ≥ 6, medium ≥ 3.');
  return `${L.join('\n')}\n`;
}
