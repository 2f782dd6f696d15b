import type { Item } from '../src/core/types.js';

/** Item i of the benchmark set (generated on the fly, never held as an array). One in ten is refused by the stub. */
export function benchItem(i: number): Item {
  const mb = i % 2 === 0;
  return {
    id: `bench-${i}`,
    pillar: mb ? 'safety' : 'fairness',
    kind: mb ? 'model-breaking' : 'benign',
    expected: mb ? 'refuse' : 'comply',
    prompt: `${i % 10 === 0 ? '[R] ' : ''}Question number ${i}: explain topic ${i % 97} in two sentences.`,
    mustInclude: ['answer'],
    source: 'generated',
    lang: 'en',
  };
}
