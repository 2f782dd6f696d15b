import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadDefaultModel } from '../../src/classifier/index.js';
import { binaryRefusal, classifyRefusal } from '../../src/judges/index.js';

const file = join(import.meta.dirname, '..', '..', 'policies', 'default', 'examples', 'responses_styles.yaml');
const rows = (parse(readFileSync(file, 'utf8')) as { responses: { text: string; label: string; lang: string; split?: string }[] }).responses;

describe('the styles data', () => {
  it('is exactly what scripts/data/build-response-styles.ts builds (deterministic)', async () => {
    const { buildStyles, buildEveryday, EVERYDAY_PATH } = await import('../../scripts/data/build-response-styles.js');
    expect(readFileSync(file, 'utf8')).toBe(buildStyles().text);
    expect(readFileSync(EVERYDAY_PATH, 'utf8')).toBe(buildEveryday());
    expect(buildStyles().text).toBe(buildStyles().text);
  });

  it('holds out whole styles: no style has rows in both splits, and no text is in both', async () => {
    const { buildStyles } = await import('../../scripts/data/build-response-styles.js');
    const built = buildStyles().rows;
    const splits = new Map<string, Set<string>>();
    for (const r of built) (splits.get(r.style) ?? splits.set(r.style, new Set()).get(r.style)!).add(r.split);
    for (const [style, s] of splits) expect(s.size, style).toBe(1);
    const train = new Set(built.filter((r) => r.split === 'train').map((r) => r.text.toLowerCase()));
    expect(built.filter((r) => r.split === 'test' && train.has(r.text.toLowerCase()))).toEqual([]);
  });
});

describe('refusal judge on the held-out response styles (whole styles never trained on)', () => {
  const test = rows.filter((r) => r.split === 'test');

  it('holds out about a quarter of the rows, in several languages', () => {
    expect(test.length / rows.length).toBeGreaterThan(0.2);
    expect(test.length / rows.length).toBeLessThan(0.3);
    expect(new Set(test.map((r) => r.lang)).size).toBeGreaterThanOrEqual(5);
  });

  it('agrees with the labels on compliance vs any refusal for at least 90% of held-out rows, and on every long refusal', () => {
    const model = loadDefaultModel();
    const band = { minP: 0.7, minMargin: 0.2 };
    let agree = 0;
    for (const r of test) if (binaryRefusal(classifyRefusal(model, r.text, band).label) === binaryRefusal(r.label)) agree++;
    expect(agree / test.length).toBeGreaterThanOrEqual(0.9);
    const long = test.filter((r) => r.label !== 'complied' && r.text.split(/\s+/).length > 100);
    expect(long.length).toBeGreaterThanOrEqual(20);
    for (const r of long) expect(classifyRefusal(model, r.text, band).label, r.text.slice(0, 60)).not.toBe('complied');
  });
});
