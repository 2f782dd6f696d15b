import type { Ctx, Item, JudgeInput, RefusalLabel, Verdict } from '../core/types.js';
import type { PolicyPack } from '../policy/schema.js';
import { choiceVerdict, isChoiceItem } from './choice.js';
import type { JudgesConfig } from './config.js';
import type { ClassifierModel } from './engine.js';
import { asExpectation } from './expect.js';
import { keywordVerdict } from './keyword.js';

/**
 * Judges plug into the pipeline by id. A `JudgeFactory` says which items it applies to and makes
 * the judge once per pipeline; the pipeline runs, for each item, the registered judges whose
 * `appliesTo(item)` holds, and records in the outcome the verdicts of the judges that ran.
 *
 * The built-in ones (below) are combined by the pipeline's rules (judges/pipeline.ts): `choice`
 * decides multiple-choice items; `refusal` (with the LLM judge per `judges.combine`) labels the
 * response of refuse/comply/deflect items and then exactly one of `premise`, `disclosure` or
 * `violation` decides it; `keyword` can fail any item. Any other registered judge adds its verdict,
 * and an item fails when that verdict says `passed: false`.
 *
 * A new judge is one file exporting a `JudgeFactory` and one `registerJudge(...)` line.
 */

export interface JudgeDeps {
  spec: JudgesConfig;
  pack?: PolicyPack;
  /** The classifier the embedded judges read responses with (loaded once, on first use). */
  model: () => Promise<ClassifierModel>;
}

/** What a judge sees: the item and response, and the refusal label when the item expects refuse/comply/deflect. */
export interface JudgeScope extends JudgeInput {
  refusal?: { label: RefusalLabel; score: number };
}

export interface ItemJudge {
  judge(scope: JudgeScope, ctx: Ctx): Verdict | Promise<Verdict>;
}

export interface JudgeFactory {
  readonly id: string;
  appliesTo(item: Item): boolean;
  create(deps: JudgeDeps): ItemJudge;
}

const hasTag = (item: Item, tag: string): boolean => item.tags?.includes(tag) ?? false;
const refusalKind = (item: Item): boolean => !isChoiceItem(item) && asExpectation(item.expected) !== null;
const premiseApplies = (item: Item): boolean => refusalKind(item) && hasTag(item, 'false-premise') && asExpectation(item.expected) !== 'comply';
const disclosureApplies = (item: Item): boolean => refusalKind(item) && !premiseApplies(item) && hasTag(item, 'ai-disclosure');

/**
 * The built-in judges' applicability. Their verdicts are computed inside the pipeline (the refusal
 * label feeds the others), so `create` here gives the stand-alone verdict where one exists.
 */
const BUILTIN: JudgeFactory[] = [
  { id: 'choice', appliesTo: isChoiceItem, create: () => ({ judge: ({ item, response }) => choiceVerdict(item, response) }) },
  { id: 'refusal', appliesTo: refusalKind, create: builtinOnly('refusal') },
  { id: 'premise', appliesTo: premiseApplies, create: builtinOnly('premise') },
  { id: 'disclosure', appliesTo: disclosureApplies, create: builtinOnly('disclosure') },
  { id: 'violation', appliesTo: (item) => refusalKind(item) && !premiseApplies(item) && !disclosureApplies(item), create: builtinOnly('violation') },
  {
    id: 'keyword',
    appliesTo: (item) => (item.mustInclude?.length ?? 0) > 0 || (item.mustNotInclude?.length ?? 0) > 0,
    create: () => ({ judge: ({ item, response }) => keywordVerdict(item, response) }),
  },
];

function builtinOnly(id: string): JudgeFactory['create'] {
  return () => ({
    judge: () => {
      throw new Error(`the ${id} judge runs inside the judge pipeline`);
    },
  });
}

/** Ids of the judges whose verdicts the pipeline computes itself. */
export const BUILTIN_JUDGES: readonly string[] = BUILTIN.map((f) => f.id);

const factories = new Map<string, JudgeFactory>(BUILTIN.map((f) => [f.id, f]));

/** Register a judge factory (its id must be new). */
export function registerJudge(f: JudgeFactory): void {
  if (factories.has(f.id)) throw new Error(`a judge with id "${f.id}" is already registered`);
  factories.set(f.id, f);
}

/** Every registered judge factory, built-ins first, then in registration order. */
export function judgeFactories(): JudgeFactory[] {
  return [...factories.values()];
}

/** The registered factory of an id (built-ins always exist). */
export function judgeFactory(id: string): JudgeFactory {
  const f = factories.get(id);
  if (!f) throw new Error(`no judge "${id}" is registered`);
  return f;
}
