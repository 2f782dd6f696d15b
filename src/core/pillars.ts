import { z } from 'zod';

/** The eight pillars of responsible AI. These ids are a public contract. */
export const PILLARS = [
  'privacy_security',
  'safety',
  'fairness',
  'veracity_robustness',
  'explainability',
  'controllability',
  'governance',
  'transparency',
] as const;
export const PillarId = z.enum(PILLARS);
export type PillarId = z.infer<typeof PillarId>;

export const PILLAR_TITLES: Record<PillarId, string> = {
  privacy_security: 'Privacy & security',
  safety: 'Safety',
  fairness: 'Fairness',
  veracity_robustness: 'Veracity & robustness',
  explainability: 'Explainability',
  controllability: 'Controllability',
  governance: 'Governance',
  transparency: 'Transparency',
};

/** What the guard does with a request at a given specificity level. */
export const ACTIONS = ['allow', 'deflect', 'refuse', 'redact'] as const;
export const Action = z.enum(ACTIONS);
export type Action = z.infer<typeof Action>;

/** Specificity ladder: 0 awareness, 1 educational/mechanism, 2 technical detail, 3 operational. */
export const LEVELS = [0, 1, 2, 3] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_NAMES: Record<Level, string> = {
  0: 'awareness',
  1: 'educational / mechanism',
  2: 'technical detail',
  3: 'operational',
};
export const LevelSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]);

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;
