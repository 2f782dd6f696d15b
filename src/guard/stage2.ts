import { asciiLetterShare, sharedEncoder, type SentenceEncoder } from '../classifier/index.js';
import { NONE } from '../classifier/index.js';
import { combinedP, loadStage2Cached, type Stage2Cascade, type Stage2Head } from '../classifier/index.js';
import type { Level } from '../core/pillars.js';
import type { Caller, Decision } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';
import { decisionFor, type DecideResult } from './decide.js';
import type { PiiType } from './pii.js';

/**
 * Stage 2 of the guard: a pretrained sentence encoder (src/classifier/encoder.ts) and a small head
 * trained on its embeddings (src/classifier/stage2.ts), asked only when stage 1 (the embedded
 * n-gram classifier) is in its unsure band, and only within a latency budget. Stage 1 misses
 * wordings it never saw; a pretrained encoder generalises across wordings.
 *
 * In the band, the head's p(unsafe) decides against its threshold, or, when the head carries a
 * stacked combiner (chosen on the calibration slice for the shipped stage-1 model), p(unsafe) and
 * stage 1's topic score together decide (src/classifier/stage2.ts `combinedP`):
 *   unsafe → the topic stage 1 saw (else the stage-2 topic head's, else stage 1's best guess) at
 *            stage 1's level but at least 2, so the pack's ladder decides the action;
 *   safe   → allow (no topic).
 * Over budget, on an error, for a mostly non-Latin text (the encoder reads English) or for a model
 * output (the head was trained on prompts), stage 1's decision stands and a reason says why.
 */

export interface Stage2Options {
  /** Default true when the object is given. */
  enabled?: boolean;
  /**
   * Wall-clock budget for the encoder's inference, in ms (default 40). Past it, stage 1's decision
   * stands. Loading the weights is not counted: the first call waits for them unless `warm()` ran
   * (`pillars serve` warms at start-up).
   */
  budgetMs?: number;
  /**
   * Stage-1 topic-score band in which stage 2 is asked. Default: the band stored in the head
   * (chosen on the calibration slice with its threshold) when the guard's own band is the one the
   * head was tuned against (the shipped stage-1 model's default), else the guard's unsure band.
   */
  band?: [number, number];
  /** The head (default: models/guard-stage2.json). */
  head?: Stage2Head;
  /** The encoder (default: the process-wide USE-lite encoder). */
  encoder?: SentenceEncoder;
}

/** The default budget where latency matters (the gateway). */
export const STAGE2_BUDGET_MS = 40;
/** The default budget where it matters little (eval, red team, `guard classify`): decisions stay reproducible on a busy machine. */
export const STAGE2_RELAXED_BUDGET_MS = 2000;
/** Stage 2 blocks at this level at least, so that the ladder of the topic it names refuses or deflects. */
export const STAGE2_MIN_LEVEL: Level = 2;
/** Texts whose letters are less ASCII than this skip stage 2 (the encoder's vocabulary is English). */
export const STAGE2_MIN_ASCII = 0.9;

export interface Stage2Runner {
  readonly band: [number, number];
  readonly budgetMs: number;
  /** True when stage 1's result falls in the band (stage 2 would be asked). */
  wants(first: DecideResult): boolean;
  /** Load the encoder now (serve calls it at start-up so that no request waits for the weights). */
  warm(): Promise<void>;
  run(input: Stage2Input): Promise<Decision>;
}

export interface Stage2Input {
  first: DecideResult;
  text: string;
  caller: Caller;
  role: 'input' | 'output';
  pack: PolicyPack;
  today: string;
  redact: readonly PiiType[];
}

const fmt = (p: number): string => p.toFixed(2);

type Outcome = { vec: Float32Array; ms: number } | { error: string; ms: number } | { late: true; ms: number };

export function stage2Runner(opts: Stage2Options, guardBand: [number, number]): Stage2Runner {
  const budgetMs = opts.budgetMs ?? STAGE2_BUDGET_MS;
  let head: Stage2Head | undefined = opts.head;
  const getHead = (): Stage2Head => (head ??= loadStage2Cached());
  // The head's cascade settings (band, combiner) were chosen for the stage-1 model whose default
  // band is `forBand`: they apply when the guard runs with that band; an explicit `band` keeps the
  // band and the combiner.
  let tuned: { band: [number, number]; cascade: Stage2Cascade | null } | undefined;
  const getTuned = (): { band: [number, number]; cascade: Stage2Cascade | null } => {
    if (tuned) return tuned;
    let c: Stage2Cascade | null = null;
    try {
      c = getHead().cascade;
    } catch {
      // No head: run() says so; the band falls back to the guard's.
    }
    const same = c !== null && Math.abs(c.forBand[0] - guardBand[0]) < 1e-6 && Math.abs(c.forBand[1] - guardBand[1]) < 1e-6;
    return (tuned = same ? { band: opts.band ?? c!.band, cascade: c } : { band: opts.band ?? guardBand, cascade: null });
  };
  const getBand = (): [number, number] => opts.band ?? getTuned().band;
  const encoder = opts.encoder ?? sharedEncoder();

  const embed = async (text: string): Promise<Outcome> => {
    try {
      await encoder.load();
    } catch (e) {
      return { error: (e as Error)?.message ?? String(e), ms: 0 };
    }
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ late: true, ms: performance.now() - t0 }), budgetMs);
    });
    const work = encoder.embed([text]).then(
      (v): Outcome => ({ vec: v[0]!, ms: performance.now() - t0 }),
      (e: unknown): Outcome => ({ error: (e as Error)?.message ?? String(e), ms: performance.now() - t0 }),
    );
    const out = await Promise.race([work, late]);
    clearTimeout(timer);
    // The wasm inference runs on this thread, so a timer cannot cut it short: a result that came
    // back after the budget is dropped all the same, so that the budget means what it says.
    if ('vec' in out && out.ms > budgetMs) return { late: true, ms: out.ms };
    return out;
  };

  return {
    get band(): [number, number] {
      return getBand();
    },
    budgetMs,
    wants(first: DecideResult): boolean {
      const s = first.prediction.topicScore;
      const [lo, hi] = getBand();
      return s >= lo && s <= hi;
    },
    warm(): Promise<void> {
      getHead();
      return encoder.load();
    },
    async run(input: Stage2Input): Promise<Decision> {
      const { first } = input;
      const stands = (why: string): Decision => ({ ...first.decision, reasons: [...first.decision.reasons, `stage 2 not used: ${why}; stage-1 decision stands`] });
      if (input.role === 'output') return stands('it reads prompts, not model outputs');
      if (first.decision.reasons[0]?.startsWith('decoded a')) return stands('the decision came from a decoded payload');
      // A segment (sentence, window) stricter than the whole text decided: the whole-text embedding would dilute it too.
      if ((first as { segment?: unknown }).segment) return stands('the decision came from one segment of the text');
      if (asciiLetterShare(input.text) < STAGE2_MIN_ASCII) return stands('the encoder reads English and this text is mostly in another script');
      let h: Stage2Head;
      try {
        h = getHead();
      } catch (e) {
        return stands(`its head could not be loaded (${(e as Error).message})`);
      }
      const out = await embed(input.text);
      if ('late' in out) return stands(`over its ${budgetMs} ms budget (${Math.round(out.ms)} ms)`);
      if ('error' in out) return stands(out.error);
      const p = h.predict(out.vec);
      const pred = first.prediction;
      // No timing in the reason: the same text gets the same decision, reasons included.
      let head = `stage 2 (sentence encoder): p(unsafe)=${fmt(p.pUnsafe)} ${p.unsafe ? '>=' : '<'} ${fmt(h.threshold)}`;
      const combine = getTuned().cascade?.combine;
      if (combine) {
        const q = combinedP(combine, pred.topicScore, p.pUnsafe);
        p.unsafe = q >= 0.5;
        head = `stage 2 (sentence encoder): p(unsafe)=${fmt(p.pUnsafe)}, combined with stage 1's ${fmt(pred.topicScore)}: p=${fmt(q)} ${p.unsafe ? '>=' : '<'} 0.50`;
      }
      // Stage 1's evidence stays; its ladder outcome (policy → action, exception, PII) is redone below.
      const stage1Reasons = first.decision.reasons.filter((r) => !r.startsWith('PII found') && !r.startsWith('no policy of pack') && !/^[\w.-]+: level \d \(/.test(r) && !r.startsWith('exception '));
      if (!p.unsafe) {
        return decisionFor({ ...common(input, pred.topicScore), topic: null, level: 0, reasons: [...stage1Reasons, `${head} → safe`] });
      }
      const bestGuess = pred.topics.find((t) => t.topic !== NONE)?.topic ?? null;
      const [topic, from] =
        pred.topic !== null ? [pred.topic, 'stage 1'] : p.topic !== null && p.topicP >= 0.5 ? [p.topic, `stage-2 topic head p=${fmt(p.topicP)}`] : [bestGuess ?? p.topic, 'stage 1 best guess'];
      const level = Math.max(pred.level, STAGE2_MIN_LEVEL) as Level;
      return decisionFor({ ...common(input, pred.topicScore), topic, level, reasons: [...stage1Reasons, `${head} → unsafe: topic ${topic ?? 'none'} (${from}) at level ${level}`] });
    },
  };
}

function common(input: Stage2Input, score: number): { pack: PolicyPack; score: number; caller: Caller; today: string; stage: 'encoder'; text: string; redact: readonly PiiType[] } {
  return { pack: input.pack, score, caller: input.caller, today: input.today, stage: 'encoder', text: input.text, redact: input.redact };
}
