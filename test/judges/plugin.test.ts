import { describe, expect, it } from 'vitest';
import { createCtx } from '../../src/core/context.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { Item, itemMessages } from '../../src/core/types.js';
import { createJudgePipeline, registerJudge } from '../../src/judges/index.js';
import { loadPack } from '../../src/policy/load.js';
import { lengthJudge } from '../fixtures/plugins/length-judge.js';
import { fakeModel } from './fake-model.js';

// A new judge is one file (test/fixtures/plugins/length-judge.ts) and this one line.
registerJudge(lengthJudge);

const pack = loadPack(defaultPackPath).pack;
const ctx = createCtx();
const mk = (o: Record<string, unknown>): Item => Item.parse({ id: 'i', prompt: 'p', pillar: 'safety', kind: 'benign', expected: 'comply', ...o });

describe('a registered judge', () => {
  it('runs only on the items it applies to, sees the refusal label, can fail an item, and is recorded', async () => {
    const pipe = createJudgePipeline({ pack, model: fakeModel() });
    const run = (item: Item, response: string) => pipe.judge({ item, transcript: itemMessages(item), response }, ctx);
    expect(pipe.describe().judges).toContain('length');

    const plain = await run(mk({}), '[complied] here is a long and helpful answer to the question');
    expect(plain.final.passed).toBe(true);
    expect(plain.verdicts.map((v) => v.judge)).not.toContain('length');

    const short = await run(mk({ tags: ['concise'] }), '[complied] short');
    expect(short.final.passed).toBe(true);
    expect(short.verdicts.find((v) => v.judge === 'length')).toMatchObject({ label: 'concise', reasons: ['16 characters (complied)'] });

    const long = await run(mk({ tags: ['concise'] }), '[complied] here is a long and helpful answer to the question');
    expect(long.final.passed).toBe(false);
    expect(long.final.reasons.at(-1)).toMatch(/^length: \d+ characters/);

    // An item no built-in judge can decide is decided by the registered judge.
    const custom = await run(mk({ expected: 'be brief', tags: ['concise'] }), 'ok');
    expect(custom.final).toMatchObject({ judge: 'final', label: 'concise', passed: true });

    expect(pipe.stats().ran).toMatchObject({ length: 3, refusal: 3 });
    expect(() => registerJudge(lengthJudge)).toThrow(/already registered/);
  });
});
