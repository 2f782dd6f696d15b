import { assetPath } from '../core/paths.js';
import type { PolicyPack } from '../policy/schema.js';
import { balanceWeights, type BalanceOptions } from './corpus-balance.js';
import { isHeldOut, leaveOut } from './corpus-split.js';
import { ladderBlocks, readCorpus, type Corpus, type CorpusPrompt } from './corpus.js';
import type { SparseVector } from './features.js';
import type { TrainOptions } from './linear.js';
import type { LinearModel } from './model.js';
import { collectRows, trainModel, type ExtraExample } from './train.js';
import type { WordVectors } from './vectors.js';

/**
 * The training recipe for a pack plus public corpora: which rows are held out, how they are
 * weighted, which settings train the heads. `scripts/train-default-model.ts`, `pillars guard train`
 * and `bench/guard-classify.ts` (held-out and leave-one-source-out figures) all go through here, so
 * the figures describe the shipped model's recipe.
 */

export interface Recipe {
  /** Share of every source held out (by group; default 0.2). */
  holdout: number;
  balance: BalanceOptions;
  /** Multiplier on every public row's weight (the pack's own rows weigh 1). */
  publicWeight: number;
  /** Multiplier on safe public rows (class weighting safe vs unsafe). */
  safeWeight: number;
  /** Multiplier on safe public rows in the level head (0: they stay out of it). */
  safeLevelWeight: number;
  /** Multiplier on unsafe public rows in the level head: requests (level 3) and content (level 2). */
  unsafeLevelWeight: number;
  contentLevelWeight: number;
  /** Most total weight of one source's labelled responses (0: public responses are not used). */
  responseCap: number;
  options: TrainOptions;
  /** Cheaper settings for leave-one-source-out folds (`--quick` uses them everywhere). */
  quickOptions: TrainOptions;
  threshold: number | 'tune';
  maxOverRefusal: number;
  /**
   * Segment threshold = topic threshold + this margin. A sentence judged alone carries less
   * evidence than a whole request, so a marginal score on one sentence of a long benign text is
   * noise more often than a hidden request. 0.15 was chosen with `npm run bench:guard-padding
   * -- --segment-threshold P` on training rows only (the pack's train split and a sample of
   * ../shared/training): padded unsafe prompts keep their decision 97.0% (97.2% at +0.10, 89.5% at
   * +0), benign padded prompts stay allowed 99.9% (77.7% at +0).
   */
  segmentMargin: number;
}

/**
 * Our own extra rows for the shipped model (written for Pillars, not copied): operational requests
 * phrased as statements or imperatives, benign everyday prompts in bn/jv/ko/sw and risky requests in
 * el/hi/ro/ru/tr, the languages the public corpus has with one label only.
 */
export const defaultExtraPath = assetPath('models', 'guard-extra.jsonl');

export const DEFAULT_RECIPE: Recipe = {
  holdout: 0.2,
  balance: { sourceCap: 1500, singleLabelCap: 60, uncapped: new Set(['pack']) },
  publicWeight: 1,
  safeWeight: 2,
  safeLevelWeight: 0.1,
  unsafeLevelWeight: 0.3,
  contentLevelWeight: 0.3,
  responseCap: 0,
  options: { epochs: 5, average: 3 },
  quickOptions: { epochs: 3, average: 2 },
  threshold: 'tune',
  maxOverRefusal: 0.05,
  segmentMargin: 0.15,
};

/** Read corpora for a pack; unsafe rows that category and keywords leave open are labelled by a quick model trained on the pack plus the rows decided so far. */
export function readTrainingCorpus(
  paths: string[],
  pack: PolicyPack,
  opts: { recipe?: Recipe; vectors?: WordVectors | null; cache?: Map<string, SparseVector> } = {},
): Corpus {
  const recipe = opts.recipe ?? DEFAULT_RECIPE;
  return readCorpus(paths, {
    pack,
    labeller: (decided) =>
      trainModel({
        pack,
        extra: splitCorpus(decided, recipe).train.map((r) => ({ text: r.text, topic: r.topic, level: r.level, lang: r.lang })),
        responses: false,
        quick: true,
        options: recipe.quickOptions,
        // Same vectors and cache as the training that follows: each text is featurized once.
        vectors: opts.vectors,
        cache: opts.cache,
      }),
  });
}

/** Public rows of a corpus as weighted training rows (language- and source-balanced together with the pack's rows). */
export function weightedExtras(pack: PolicyPack, rows: CorpusPrompt[], corpus: Pick<Corpus, 'responses'> | null, recipe: Recipe): ExtraExample[] {
  const packRows = collectRows(pack).prompts.filter((r) => r.split === 'train');
  const all = [
    ...packRows.map((r) => ({ source: 'pack', lang: r.lang, unsafe: r.topic !== null && ladderBlocks(pack, r.topic, r.level) })),
    ...rows.map((r) => ({ source: r.source, lang: r.lang, unsafe: r.label === 'unsafe' })),
  ];
  const w = balanceWeights(all, recipe.balance).slice(packRows.length);
  const out: ExtraExample[] = rows.map((r, i) => ({
    text: r.text,
    topic: r.topic,
    level: r.level,
    lang: r.lang,
    split: 'train',
    group: r.group,
    weight: w[i]! * recipe.publicWeight * (r.topic === null ? recipe.safeWeight : 1),
    // The level head decides only once a topic applies: thousands of everyday safe rows at level 0
    // would teach it that anything plainly worded is level 0. The pack's look-alikes teach that.
    // Unsafe public rows carry coarse levels (every request is 3 by construction): they weigh less
    // there too, so the pack's graded examples keep the 0-3 distinctions.
    levelWeight: w[i]! * recipe.publicWeight * (r.topic === null ? recipe.safeLevelWeight : r.level < 3 ? recipe.contentLevelWeight : recipe.unsafeLevelWeight),
  }));
  if (corpus && recipe.responseCap > 0) {
    const per = new Map<string, number>();
    for (const r of corpus.responses) per.set(r.source, (per.get(r.source) ?? 0) + 1);
    for (const r of corpus.responses) {
      if (r.split === 'test') continue;
      out.push({ text: r.text, label: r.label, split: 'train', weight: Math.min(1, recipe.responseCap / per.get(r.source)!) });
    }
  }
  return out;
}

/**
 * Train and held-out rows: the rows' own `split`, else `holdout` of each source's groups. Sources
 * with fewer than 20 rows (a user's handful of corrections) are trained on whole.
 */
export function splitCorpus(prompts: CorpusPrompt[], recipe: Recipe = DEFAULT_RECIPE): { train: CorpusPrompt[]; heldOut: CorpusPrompt[] } {
  const per = new Map<string, number>();
  for (const r of prompts) per.set(r.source, (per.get(r.source) ?? 0) + 1);
  const train: CorpusPrompt[] = [];
  const heldOut: CorpusPrompt[] = [];
  for (const r of prompts) {
    const held = r.split ? r.split === 'test' : per.get(r.source)! >= 20 && isHeldOut(r, recipe.holdout);
    (held ? heldOut : train).push(r);
  }
  return { train, heldOut };
}

export interface RecipeRun {
  model: LinearModel;
  /** Public rows the model never trained on (the held-out share, or the left-out source). */
  heldOut: CorpusPrompt[];
  trainRows: number;
}

/** Train on the pack's train split plus the corpus's training share (optionally leaving one source out entirely). */
export function trainWithRecipe(input: {
  pack: PolicyPack;
  corpus: Corpus | null;
  recipe?: Recipe;
  seed?: number;
  vectors?: WordVectors | null;
  /** Leave-one-source-out: train without this source (and rows sharing its groups); held out = that source's rows. */
  leaveOutSource?: string;
  cache?: Map<string, SparseVector>;
  quick?: boolean;
}): RecipeRun {
  const recipe = input.recipe ?? DEFAULT_RECIPE;
  const prompts = input.corpus?.prompts ?? [];
  let train: CorpusPrompt[];
  let heldOut: CorpusPrompt[];
  if (input.leaveOutSource) {
    const { kept, out } = leaveOut(prompts, input.leaveOutSource);
    train = splitCorpus(kept, recipe).train;
    heldOut = out;
  } else ({ train, heldOut } = splitCorpus(prompts, recipe));
  const extra = weightedExtras(input.pack, train, input.quick ? null : input.corpus, recipe);
  const model = trainModel({
    pack: input.pack,
    extra,
    seed: input.seed ?? 1,
    vectors: input.vectors,
    cache: input.cache,
    options: input.quick ? recipe.quickOptions : recipe.options,
    // The pack's own rows have surface variants on both sides of any validation slice: without a
    // grouped public corpus the threshold stays at the engine's default.
    threshold: input.corpus ? recipe.threshold : 0.35,
    maxOverRefusal: recipe.maxOverRefusal,
    // Folds that only score prompts skip the response head and the calibration pass.
    responses: !input.quick,
    quick: input.quick,
  });
  model.meta.segmentThreshold = Math.round(Math.min(0.95, model.meta.threshold + recipe.segmentMargin) * 1000) / 1000;
  return { model, heldOut, trainRows: train.length };
}
