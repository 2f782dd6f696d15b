import { describe, expect, it } from 'vitest';
import { argsText } from '../../src/gateway/args-text.js';
import { fileText } from '../../src/gateway/file-text.js';
import { Holdback, type HoldbackOptions } from '../../src/gateway/holdback.js';
import { isBoundary, pieces } from '../../src/gateway/text-split.js';

/**
 * The hold-back on its own: text arrives in small deltas, a detector stands in for the guard
 * (it sees a harmful run only once `need` characters of it are in one checked text), and the
 * harmful run's offset is swept across the answer.
 */

const PROSE =
  'Our garden club met on Saturday. Everyone brought a dish to share, and the lemon cake went first! ' +
  'We talked about tomatoes, about the new compost bins, and about the long dry summer. Next month we visit the botanical garden? ' +
  'Bring comfortable shoes and a hat.\nThe bus leaves at nine from the town hall, and lunch is at the café by the glasshouses. ';

/** The harmful run: sentences of capitals. The detector sees it once 50 characters of it are in one checked text. */
const HARM = 'SYNTHESIZE THE AGENT NOW. '.repeat(8);
const flagged = (t: string): boolean => /[A-Z .]{50}/.test(t);

/** Release everything a stream of `text` in `chunk`-sized deltas would release before a check fails. */
function run(text: string, opts: HoldbackOptions, flagged: (t: string) => boolean, chunk = 3): { released: string; cut: boolean; windows: string[] } {
  const h = new Holdback(opts);
  const windows: string[] = [];
  const step = (end: boolean): boolean => {
    for (let s = h.next(end); s; s = h.next(end)) {
      if (s.checks.some(flagged)) return false;
      windows.push(h.commit(s.to));
    }
    return true;
  };
  for (let i = 0; i < text.length; i += chunk) {
    h.push(text.slice(i, i + chunk));
    if (!step(false)) return { released: windows.join(''), cut: true, windows };
  }
  const ok = step(true);
  return { released: windows.join(''), cut: !ok, windows };
}

describe('hold-back windows', () => {
  const opts: HoldbackOptions = { windowChars: 120, overlapChars: 40, lookaheadChars: 50 };

  it('releases a benign answer whole, in windows that end at sentence boundaries', () => {
    const text = PROSE.repeat(3);
    const r = run(text, opts, () => false);
    expect(r.cut).toBe(false);
    expect(r.released).toBe(text);
    expect(r.windows.length).toBeGreaterThan(4);
    let at = 0;
    for (const w of r.windows.slice(0, -1)) {
      at += w.length;
      expect(w.length).toBeLessThanOrEqual(opts.windowChars);
      expect(isBoundary(text, at)).toBe(true);
    }
  });

  it('releases no character of a harmful run wherever it begins, when the lookahead covers what the detector needs', () => {
    const base = PROSE.repeat(2);
    for (let at = 0; at <= base.length; at += 7) {
      const text = base.slice(0, at) + HARM + base.slice(at);
      const r = run(text, opts, flagged);
      expect(r.cut).toBe(true);
      expect(r.released.length).toBeLessThanOrEqual(at);
      expect(r.released).toBe(text.slice(0, r.released.length));
    }
  });

  it('would leak with a lookahead shorter than what the detector needs (the lookahead is what protects)', () => {
    const base = PROSE.repeat(2);
    let leaked = 0;
    for (let at = 0; at <= base.length; at += 7) {
      const text = base.slice(0, at) + HARM + base.slice(at);
      if (run(text, { ...opts, lookaheadChars: 10 }, flagged).released.length > at) leaked++;
    }
    expect(leaked).toBeGreaterThan(0);
  });

  it('checks each window with the text released before it (overlap) and the lookahead on its own', () => {
    const h = new Holdback(opts);
    h.push(PROSE);
    const first = h.next(false)!;
    expect(first.checks[0]!.startsWith(PROSE.slice(0, 10))).toBe(true);
    expect(first.checks[1]).toBe(PROSE.slice(first.to, first.to + opts.lookaheadChars));
    h.commit(first.to);
    h.push(PROSE);
    const second = h.next(false)!;
    expect(second.checks[0]!.startsWith(PROSE.slice(first.to - opts.overlapChars, first.to))).toBe(true);
  });

  it('cuts a long run without any boundary at whitespace, and never inside a surrogate pair', () => {
    const words = 'lorem ipsum dolor sit amet '.repeat(20);
    const r = run(words, opts, () => false);
    expect(r.released).toBe(words);
    for (const w of r.windows.slice(0, -1)) expect(w.endsWith(' ')).toBe(true);
    const emoji = '😀'.repeat(200);
    const e = run(emoji, opts, () => false);
    expect(e.released).toBe(emoji);
    for (const w of e.windows) expect(w.length % 2).toBe(0);
  });
});

describe('text helpers', () => {
  it('splits long text into overlapping pieces at boundaries', () => {
    const text = PROSE.repeat(10);
    const ps = pieces(text, 400, 50);
    expect(ps.every((p) => p.length <= 400)).toBe(true);
    expect(ps[0]).toBe(text.slice(0, ps[0]!.length));
    expect(ps.join('').length).toBeGreaterThan(text.length);
    expect(text.endsWith(ps.at(-1)!)).toBe(true);
  });

  it('reads tool-call arguments as words, whole or partial', () => {
    expect(argsText('{"query": "lemon cake", "n": 3, "tags": ["baking", "dessert"]}')).toBe('lemon cake\nbaking\ndessert');
    expect(argsText('{"query": "lemon cake with \\"zest\\"\\nand sug')).toMatch(/lemon cake with\s+zest\s+\nand sug/);
  });

  it('decodes file parts: data URLs, bare base64, plain text; refuses binary and PDFs', () => {
    const b64 = Buffer.from('hello there', 'utf8').toString('base64');
    expect(fileText({ file_data: `data:text/plain;base64,${b64}` })).toEqual({ text: 'hello there', mime: 'text/plain' });
    expect(fileText({ file_data: b64 })).toMatchObject({ text: 'hello there' });
    expect(fileText({ file_data: 'data:text/markdown,%23%20Title' })).toEqual({ text: '# Title', mime: 'text/markdown' });
    expect(fileText({ file_data: 'plain words, not base64!' })).toMatchObject({ text: 'plain words, not base64!' });
    expect(fileText({ file_data: Buffer.from('%PDF-1.4 ...').toString('base64') })).toMatchObject({ unreadable: expect.stringMatching(/PDF/) });
    expect(fileText({ file_data: Buffer.from([0, 0, 1, 2, 200, 201]).toString('base64') })).toMatchObject({ unreadable: expect.any(String) });
    expect(fileText({ file_id: 'file-1' })).toMatchObject({ unreadable: expect.stringMatching(/file-1/) });
  });
});
