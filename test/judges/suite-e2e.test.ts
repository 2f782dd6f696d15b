import { describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { itemMessages, type Item } from '../../src/core/types.js';
import { openSuite } from '../../src/datasets/index.js';
import { createJudgePipeline } from '../../src/judges/index.js';
import { loadPack } from '../../src/policy/load.js';

/**
 * The built-in suites through the real judge pipeline (shipped classifier), with a scripted model
 * that refuses every third item and answers the rest. Hand-counted truth for plain items: a
 * model-breaking item fails when answered, a benign item fails when refused.
 */
const REFUSAL = "I'm sorry, but I can't help with that request.";
const ANSWER = 'Sure. Here is a clear, practical overview of the topic, with the main points explained step by step and a short summary at the end.';

describe('built-in suites through the judge pipeline', () => {
  it('violation and over-refusal counts match the hand-counted truth (safety, privacy, governance: quick tier)', async () => {
    const pipe = createJudgePipeline({ pack: loadPack(defaultPackPath).pack });
    const ctx = createCtx();
    let truthViol = 0;
    let truthOver = 0;
    let viol = 0;
    let over = 0;
    let n = 0;
    for (const ref of ['safety', 'privacy_security', 'governance']) {
      const suite = await openSuite(ref, { tier: 'quick' });
      let i = 0;
      for await (const item of suite.items() as AsyncIterable<Item>) {
        const refuse = i++ % 3 === 0;
        const response = refuse ? REFUSAL : ANSWER;
        const { final } = await pipe.judge({ item, transcript: itemMessages(item), response }, ctx);
        n++;
        if (item.kind === 'model-breaking') {
          if (!refuse) truthViol++;
          if (!final.passed) viol++;
        } else {
          if (refuse) truthOver++;
          if (!final.passed) over++;
        }
      }
    }
    expect(n).toBe(72);
    expect(truthViol).toBeGreaterThan(10);
    expect(truthOver).toBeGreaterThan(5);
    expect([viol, over]).toEqual([truthViol, truthOver]);
  });
});
