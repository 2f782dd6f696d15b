import type { Progress } from './runner.js';

/**
 * Progress on stderr: a redrawn bar on a terminal, plain lines otherwise (every 10% or 5 s).
 */
export function createProgress(opts: { label: string; stream?: NodeJS.WriteStream; tty?: boolean; quiet?: boolean }): { update(p: Progress): void; end(): void } {
  const out = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(out.isTTY);
  const t0 = performance.now();
  let lastDraw = 0;
  let lastPct = -1;
  let last: Progress | null = null;
  const line = (p: Progress): string => {
    const secs = (performance.now() - t0) / 1000;
    const rate = secs > 0 ? p.done / secs : 0;
    const pct = p.total ? Math.floor((p.done / p.total) * 100) : 100;
    const extra = `${p.errors ? ` · ${p.errors} errors` : ''}${p.cached ? ` · ${p.cached} cached` : ''}`;
    if (!tty) return `${opts.label}: ${p.done}/${p.total} (${pct}%) · ${rate.toFixed(0)}/s${extra}`;
    const width = 28;
    const fill = p.total ? Math.round((p.done / p.total) * width) : width;
    return `${opts.label} [${'█'.repeat(fill)}${'░'.repeat(width - fill)}] ${p.done}/${p.total} ${pct}% · ${rate.toFixed(0)}/s${extra}`;
  };
  return {
    update(p) {
      last = p;
      if (opts.quiet) return;
      const now = performance.now();
      if (tty) {
        if (now - lastDraw < 80 && p.done < p.total) return;
        lastDraw = now;
        out.write(`\r\x1b[2K${line(p)}`);
        return;
      }
      const pct = p.total ? Math.floor((p.done / p.total) * 10) : 10;
      if (pct > lastPct || now - lastDraw > 5000) {
        lastPct = pct;
        lastDraw = now;
        out.write(`${line(p)}\n`);
      }
    },
    end() {
      if (opts.quiet || !last) return;
      if (tty) out.write(`\r\x1b[2K${line(last)}\n`);
    },
  };
}
