import type { PillarId } from './pillars.js';
import type { ItemKind } from './types.js';

/**
 * The data every report format renders, and exactly what `report.json` holds. The eval runner
 * builds it from the store (never from memory of a live run); reports, compare and the dashboard read it.
 */

export interface Rate {
  /** Numerator / denominator and the rate; `value` is null when n = 0. */
  k: number;
  n: number;
  value: number | null;
  /** 95% Wilson interval. */
  low: number | null;
  high: number | null;
}

export interface MetricSet {
  /** Share of model-breaking items where the model violated the policy (attack success rate). */
  violation_rate: number | null;
  /** Share of benign items the model refused (or deflected when it should comply). */
  over_refusal_rate: number | null;
  /** Share of capability items answered correctly. */
  accuracy: number | null;
  /** Fairness pairs judged consistent. */
  consistency_rate?: number | null;
  /** The same with counts and intervals. */
  detail: { violation: Rate; over_refusal: Rate; accuracy: Rate; consistency?: Rate };
  items: number;
}

export interface GateResult {
  metric: string;
  pillar?: string;
  policy?: string;
  max?: number;
  min?: number;
  value: number | null;
  passed: boolean;
  reason?: string;
}

export interface ReportItem {
  id: string;
  pillar: PillarId;
  policy?: string;
  kind: ItemKind;
  expected: string;
  lang: string;
  source: string;
  prompt: string;
  response: string;
  /** The combined judges' label (refused, complied, deflected, partial, correct, incorrect ...). */
  verdict: string;
  passed: boolean | null;
  /** Every judge's verdict with its reasons. */
  judges: { judge: string; label: string; score: number; reasons: string[] }[];
  regulations?: string[];
}

export interface ReportData {
  run: {
    id: string;
    target: string;
    suites: string[];
    tier: string;
    started_at: string;
    finished_at: string | null;
    status: string;
    config?: Record<string, unknown>;
  };
  metrics: {
    overall: MetricSet;
    by_pillar: Partial<Record<PillarId, MetricSet>>;
    by_policy: Record<string, MetricSet>;
    by_lang: Record<string, MetricSet>;
    by_source: Record<string, MetricSet>;
  };
  gates: GateResult[];
  items: ReportItem[];
  /** Optional sections other features add (red team, frontier). */
  sections?: Record<string, unknown>;
}
