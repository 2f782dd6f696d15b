import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Ctx, Target } from '../core/types.js';
import { choiceVerdict, extractChoice } from '../judges/index.js';
import type { FrontierCase, FrontierResult, FrontierSample, FrontierStore } from '../store/frontier.js';
import { mcqPrompt, readBenchmark, type McqItem } from './benchmark.js';
import { DEFAULT_COSTS, type FrontierDomain } from './config.js';
import { wilson } from '../core/stats.js';

/**
 * The frontier harness: asks every multiple-choice question, scores accuracy per domain with a
 * Wilson interval, keeps the result per model version, and opens an expert review case (with the
 * evidence) when a domain is over its threshold. The case blocks the release gate until a reviewer
 * approves it for that model version.
 */

/** The model version a result belongs to: given explicitly, else derived from the target's fingerprint. */
export function modelVersionOf(target: Target, explicit?: string): string {
  if (explicit) return explicit;
  return `fp-${createHash('sha256').update(target.fingerprint).digest('hex').slice(0, 12)}`;
}

export interface DomainOutcome {
  result: FrontierResult;
  case: FrontierCase | null;
  /** Over threshold and not approved for this version. */
  blocking: boolean;
}

export interface FrontierRunOutput {
  target: string;
  modelVersion: string;
  domains: DomainOutcome[];
  blocked: boolean;
}

/** Ask every question (at most `concurrency` in flight); samples come back in benchmark order. */
async function score(target: Target, items: McqItem[], concurrency: number, ctx: Ctx): Promise<FrontierSample[]> {
  const out: FrontierSample[] = new Array<FrontierSample>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const q = items[i]!;
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('interrupted');
      const g = await target.generate({ messages: [{ role: 'user', content: mcqPrompt(q) }], options: { temperature: 0, maxTokens: 16 } }, ctx);
      const v = choiceVerdict({ expected: q.answer, choices: q.choices }, g.text);
      const answer = v.label === 'correct' ? q.answer : extractChoice(g.text, q.choices.length).letter;
      out[i] = { id: q.id, question: q.question, expected: q.answer, answer, correct: v.label === 'correct' };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return out;
}

export async function runFrontier(
  input: { target: Target; domains: FrontierDomain[]; store: FrontierStore; modelVersion?: string; concurrency?: number; now?: () => Date },
  ctx: Ctx,
): Promise<FrontierRunOutput> {
  const now = input.now ?? (() => new Date());
  const version = modelVersionOf(input.target, input.modelVersion);
  const domains: DomainOutcome[] = [];
  for (const d of input.domains) {
    let items = d.benchmarks.flatMap(readBenchmark);
    if (d.sample) items = items.slice(0, d.sample);
    const samples = await score(input.target, items, input.concurrency ?? 4, ctx);
    const correct = samples.filter((s) => s.correct).length;
    const n = samples.length;
    const { low, high } = wilson(correct, n);
    const result: FrontierResult = {
      target: input.target.id,
      modelVersion: version,
      domain: d.domain,
      benchmark: d.benchmarks.map((b) => basename(b)).join(','),
      n,
      correct,
      score: n ? correct / n : 0,
      low,
      high,
      threshold: d.threshold,
      over: n > 0 && correct / n > d.threshold,
      samples,
      createdAt: now().toISOString(),
    };
    result.id = await input.store.addResult(result);
    let c: FrontierCase | null = await input.store.findCase(input.target.id, version, d.domain);
    if (result.over) {
      const chance = items.reduce((s, q) => s + 1 / q.choices.length, 0) / Math.max(1, items.length);
      c = await input.store.openCase({
        target: input.target.id,
        modelVersion: version,
        domain: d.domain,
        now: result.createdAt,
        evidence: {
          result: result.id,
          score: result.score,
          interval: [low, high],
          n,
          correct,
          threshold: d.threshold,
          costs: d.costs ?? DEFAULT_COSTS,
          chance,
          benchmark: result.benchmark,
          samples: samples.slice(0, 8),
          summary: `${d.domain}: ${(result.score * 100).toFixed(1)}% correct (95% CI ${(low * 100).toFixed(1)}-${(high * 100).toFixed(1)}%, n=${n}) is over the threshold of ${(d.threshold * 100).toFixed(1)}%`,
        },
      });
    }
    domains.push({ result, case: c, blocking: result.over && c?.status !== 'approved' });
  }
  return { target: input.target.id, modelVersion: version, domains, blocked: domains.some((d) => d.blocking) };
}
