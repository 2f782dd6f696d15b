import { cutPoint, lastBoundary, type TextKind } from './text-split.js';

/**
 * One streamed channel's hold-back: text arrives in deltas and leaves in windows that end at a
 * sentence boundary, each only after a check covering it passed. A window [released, to) is
 * checked together with `overlap` characters released before it (context: harm split across
 * windows is read whole) and `lookahead` characters that arrived after it, which are also checked
 * on their own. So wherever harmful text begins, no character of it leaves before a check has
 * read it and at least `lookahead` characters that follow it (or the rest of the answer).
 */

export interface HoldbackOptions {
  /** Largest window released at once (characters). */
  windowChars: number;
  /** Already-released characters read again before each window. */
  overlapChars: number;
  /** Characters after the window that must have arrived, and are checked, before it leaves. */
  lookaheadChars: number;
}

export interface HoldbackStep {
  /** Release the text up to this position once the checks pass. */
  to: number;
  /** The texts to check first: the window with its context and lookahead, and the lookahead alone. */
  checks: string[];
}

export class Holdback {
  private buf = '';
  private done = 0;

  constructor(
    readonly opts: HoldbackOptions,
    readonly kind: TextKind = 'prose',
  ) {}

  get text(): string {
    return this.buf;
  }
  /** Characters released so far. */
  get released(): number {
    return this.done;
  }
  /** Characters held (arrived, not released). */
  get held(): number {
    return this.buf.length - this.done;
  }

  push(delta: string): void {
    this.buf += delta;
  }

  /**
   * The next window that may be released, with the checks it needs, or null while more text must
   * arrive first. `end`: no more text will come (the channel ended), so everything held is due.
   */
  next(end: boolean): HoldbackStep | null {
    const { windowChars: window, overlapChars: overlap, lookaheadChars: lookahead } = this.opts;
    const from = this.done;
    const len = this.buf.length;
    if (from >= len) return null;
    const context = Math.max(0, from - overlap);
    if (end) {
      const checks = [this.buf.slice(context, len)];
      if (context < from) checks.push(this.buf.slice(from, len));
      return { to: len, checks };
    }
    // The furthest point releasable now: a full window, and `lookahead` characters must follow it.
    const limit = Math.min(from + window, len - lookahead);
    if (limit <= from) return null;
    const full = len - from >= window + lookahead;
    let to = lastBoundary(this.buf, from, limit, this.kind);
    // The first window leaves at its first sentence (time to first token); later ones wait for
    // half a window, unless a full window is held: then it is cut at a boundary or whitespace.
    if (to < 0 || (from > 0 && to - from < window / 2 && !full)) {
      if (!full) return null;
      if (to < 0 || to - from < window / 4) to = cutPoint(this.buf, from, limit, this.kind);
    }
    const ahead = Math.min(len, to + Math.max(lookahead, 1));
    const checks = [this.buf.slice(context, ahead)];
    if (lookahead > 0 && ahead > to) checks.push(this.buf.slice(to, ahead));
    return { to, checks };
  }

  /** Release up to `to` (after its checks passed): the text that now leaves. */
  commit(to: number): string {
    const out = this.buf.slice(this.done, to);
    this.done = Math.max(this.done, to);
    return out;
  }
}
