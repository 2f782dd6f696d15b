import { describe, expect, it } from 'vitest';
import { collectRows } from '../../src/classifier/index.js';
import { normalizeText } from '../../src/classifier/normalize.js';
import { wordRuns, wordRunsByRegex } from '../../src/classifier/tokenize.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { prng } from '../../src/core/random.js';
import { loadPack } from '../../src/policy/load.js';

const runs = (s: string): [number, number][] => {
  const out: [number, number][] = [];
  wordRuns(s, (a, b) => out.push([a, b]));
  return out;
};

describe('the hand-written word scan matches the WORD regex', () => {
  it('on every text of the default pack, raw and normalised', () => {
    const { prompts, responses } = collectRows(loadPack(defaultPackPath).pack);
    let n = 0;
    for (const r of [...prompts, ...responses]) {
      for (const s of [r.text, normalizeText(r.text)]) {
        expect(runs(s), s).toEqual(wordRunsByRegex(s));
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
  });

  it('on random strings of letters, digits, leet symbols, punctuation, accents, other scripts, astral characters and lone surrogates', () => {
    const alphabet = ['a', 'Z', '7', '0', '@', '$', '!', '|', "'", '’', ' ', '.', '-', '\n', 'é', '\u0301', 'ж', '中', 'ß', '٣', '𝐀', '😀', '\ud800', '\udc00', '\u200b', '_', 'Ⅻ'];
    const rand = prng(13);
    for (let k = 0; k < 5000; k++) {
      let s = '';
      const len = 1 + Math.floor(rand() * 24);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)]!;
      expect(runs(s), JSON.stringify(s)).toEqual(wordRunsByRegex(s));
    }
  });

  it('finds the runs it should', () => {
    expect(runs("n3rv3 @g3nt don't a!b !x y| $5 😀𝐀b")).toEqual([[0, 5], [6, 11], [12, 15], [16, 17], [18, 21], [23, 24], [25, 26], [28, 30], [33, 36]]);
  });
});
