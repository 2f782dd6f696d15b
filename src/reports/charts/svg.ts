import type { MetricSet, Rate } from '../../core/report.js';
import { escapeHtml as esc, pct } from '../format.js';

/**
 * Server-side SVG charts for the HTML report: no script, no network, readable without CSS.
 * Every chart has role="img", a <title> and an aria-label; every bar and point carries its number as text.
 */

const NICE = [0.02, 0.04, 0.1, 0.2, 0.4, 0.6, 0.8, 1];

/** The smallest "nice" axis maximum at or above v (at least 2%, at most 100%). */
export function niceMax(v: number): number {
  for (const n of NICE) if (v <= n + 1e-12) return n;
  return 1;
}

function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** Axis tick: "0%", "12.5%", "25%". */
function tick(v: number): string {
  return `${Math.round(v * 1000) / 10}%`;
}

export const COLORS = { violation: '#b3261e', over_refusal: '#8a5a00', pillar: '#1f4e8c', policy: '#6b7d99', grid: '#d5d9e0', text: '#1d2330' };

interface BarSpec {
  key: 'violation' | 'over_refusal';
  label: string;
  rate: Rate;
}

/**
 * One pillar's chart: horizontal bars for the violation and over-refusal rates with 95% interval whiskers,
 * on a shared scale (`scaleMax`) so pillars compare at a glance.
 */
export function pillarChart(input: { pillar: string; title: string; m: MetricSet; scaleMax: number }): string {
  const { m, scaleMax } = input;
  const W = 340;
  const labelW = 92;
  const valueW = 60;
  const plotW = W - labelW - valueW;
  const rowH = 30;
  const top = 8;
  const bars: BarSpec[] = [
    { key: 'violation', label: 'Violation', rate: m.detail.violation },
    { key: 'over_refusal', label: 'Over-refusal', rate: m.detail.over_refusal },
  ];
  const H = top + bars.length * rowH + 22;
  const x = (v: number): number => labelW + (Math.min(v, scaleMax) / scaleMax) * plotW;
  const parts: string[] = [];
  // Grid and axis labels.
  for (const t of [0, scaleMax / 2, scaleMax]) {
    const gx = num(x(t));
    parts.push(`<line x1="${gx}" x2="${gx}" y1="${top - 2}" y2="${top + bars.length * rowH}" stroke="${COLORS.grid}" stroke-width="1"/>`);
    parts.push(`<text x="${gx}" y="${H - 6}" font-size="10" text-anchor="middle" fill="${COLORS.text}">${tick(t)}</text>`);
  }
  const summary: string[] = [];
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const r = b.rate;
    parts.push(`<text x="0" y="${y + 18}" font-size="12" fill="${COLORS.text}">${b.label}</text>`);
    if (!r || r.n === 0 || r.value === null) {
      parts.push(`<text x="${labelW + 4}" y="${y + 18}" font-size="11" fill="${COLORS.text}" font-style="italic">not measured</text>`);
      summary.push(`${b.label}: not measured`);
      return;
    }
    const w = Math.max(0, x(r.value) - labelW);
    parts.push(
      `<rect class="bar bar-${b.key}" data-metric="${b.key}" data-value="${r.value}" x="${labelW}" y="${y + 6}" width="${num(w)}" height="16" rx="2" fill="${COLORS[b.key]}"><title>${b.label}: ${pct(r.value)} (${r.k}/${r.n}), 95% CI ${pct(r.low)}–${pct(r.high)}</title></rect>`,
    );
    if (r.low !== null && r.high !== null) {
      const x1 = num(x(r.low));
      const x2 = num(x(r.high));
      const cy = y + 14;
      parts.push(
        `<g class="whisker" stroke="${COLORS.text}" stroke-width="1.5"><line x1="${x1}" x2="${x2}" y1="${cy}" y2="${cy}"/><line x1="${x1}" x2="${x1}" y1="${cy - 5}" y2="${cy + 5}"/><line x1="${x2}" x2="${x2}" y1="${cy - 5}" y2="${cy + 5}"/></g>`,
      );
      if (r.high > scaleMax) parts.push(`<text x="${num(labelW + plotW + 1)}" y="${cy + 4}" font-size="10" fill="${COLORS.text}">›</text>`);
    }
    parts.push(`<text x="${W - valueW + 8}" y="${y + 18}" font-size="12" font-weight="600" fill="${COLORS.text}">${pct(r.value)}</text>`);
    summary.push(`${b.label} ${pct(r.value)} (${r.k} of ${r.n}, 95% CI ${pct(r.low)} to ${pct(r.high)})`);
  });
  const label = `${input.title}: ${summary.join('; ')}`;
  return `<svg class="chart chart-pillar" data-chart="pillar" data-pillar="${esc(input.pillar)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(label)}</title>${parts.join('')}</svg>`;
}

export interface TradeoffPoint {
  id: string;
  label: string;
  kind: 'pillar' | 'policy';
  violation: number;
  overRefusal: number;
  regulations?: string[];
}

/**
 * The over-refusal vs violation trade-off: x = over-refusal rate, y = violation rate, one point per
 * pillar (labelled) and per policy. Lower-left is better on both.
 */
export function tradeoffChart(points: TradeoffPoint[]): string {
  const W = 640;
  const H = 420;
  const L = 56;
  const R = 20;
  const T = 30;
  const B = 46;
  const maxX = niceMax(Math.max(0.02, ...points.map((p) => p.overRefusal)) * 1.05);
  const maxY = niceMax(Math.max(0.02, ...points.map((p) => p.violation)) * 1.05);
  const px = (v: number): number => L + (v / maxX) * (W - L - R);
  const py = (v: number): number => H - B - (v / maxY) * (H - T - B);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const tx = (maxX * i) / 4;
    const ty = (maxY * i) / 4;
    parts.push(`<line x1="${num(px(tx))}" x2="${num(px(tx))}" y1="${T}" y2="${H - B}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${num(px(tx))}" y="${H - B + 16}" font-size="11" text-anchor="middle" fill="${COLORS.text}">${tick(tx)}</text>`);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${num(py(ty))}" y2="${num(py(ty))}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${L - 6}" y="${num(py(ty) + 4)}" font-size="11" text-anchor="end" fill="${COLORS.text}">${tick(ty)}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" font-size="12" text-anchor="middle" fill="${COLORS.text}">Over-refusal rate (benign items refused) →</text>`);
  parts.push(`<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${COLORS.text}">Violation rate (attacks that succeeded) →</text>`);
  parts.push(`<text x="${L}" y="16" font-size="11" fill="#1e6b2e">↙ lower left is better</text>`);
  // Policies first so pillar points draw on top.
  const sorted = [...points].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'policy' ? -1 : 1));
  const labels = placeLabels(
    sorted.filter((p) => p.kind === 'pillar').map((p) => ({ id: p.id, text: p.label, x: px(Math.min(p.overRefusal, maxX)), y: py(Math.min(p.violation, maxY)) })),
    { right: W - R, top: T, bottom: H - B },
  );
  for (const p of sorted) {
    const cx = num(px(Math.min(p.overRefusal, maxX)));
    const cy = num(py(Math.min(p.violation, maxY)));
    const tip = `${p.label}: violation ${pct(p.violation)}, over-refusal ${pct(p.overRefusal)}`;
    const regs = p.regulations ? ` data-regulations="${esc(p.regulations.join(' '))}"` : '';
    if (p.kind === 'pillar') {
      parts.push(
        `<g class="pt pt-pillar" data-id="${esc(p.id)}"><circle cx="${cx}" cy="${cy}" r="7" fill="${COLORS.pillar}" stroke="#fff" stroke-width="1.5"><title>${esc(tip)}</title></circle>${labelSvg(labels.get(p.id), Number(cx), Number(cy), p.label)}</g>`,
      );
    } else {
      parts.push(
        `<g class="pt pt-policy" data-id="${esc(p.id)}"${regs}><rect x="${num(Number(cx) - 4)}" y="${num(Number(cy) - 4)}" width="8" height="8" transform="rotate(45 ${cx} ${cy})" fill="${COLORS.policy}" fill-opacity="0.8"><title>${esc(tip)}</title></rect></g>`,
      );
    }
  }
  const ly = 12;
  const legend = `<g class="legend" font-size="11" fill="${COLORS.text}"><circle cx="${W - 150}" cy="${ly}" r="6" fill="${COLORS.pillar}"/><text x="${W - 140}" y="${ly + 4}">pillar</text><rect x="${W - 94}" y="${ly - 4}" width="8" height="8" transform="rotate(45 ${W - 90} ${ly})" fill="${COLORS.policy}"/><text x="${W - 80}" y="${ly + 4}">policy</text></g>`;
  const label = `Trade-off between over-refusal and violation rates for ${points.filter((p) => p.kind === 'pillar').length} pillars and ${points.filter((p) => p.kind === 'policy').length} policies; lower left is better.`;
  return `<svg class="chart chart-tradeoff" data-chart="tradeoff" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(label)}</title>${parts.join('')}${legend}</svg>`;
}

interface LabelBox {
  x: number;
  y: number;
  anchor: 'start' | 'end';
}

const CHAR_W = 6.2;

/** Greedy label placement for the scatter: right of the point, else left, moving down a line until it fits. */
function placeLabels(pts: { id: string; text: string; x: number; y: number }[], bounds: { right: number; top: number; bottom: number }): Map<string, LabelBox> {
  const placed: { x1: number; x2: number; y1: number; y2: number }[] = [];
  const out = new Map<string, LabelBox>();
  const hits = (b: { x1: number; x2: number; y1: number; y2: number }): boolean => placed.some((o) => b.x1 < o.x2 && b.x2 > o.x1 && b.y1 < o.y2 && b.y2 > o.y1);
  for (const p of [...pts].sort((a, b) => a.y - b.y || a.x - b.x)) {
    const w = p.text.length * CHAR_W;
    let chosen: LabelBox | null = null;
    for (let dy = 0; dy <= 5 * 13 && !chosen; dy += 13) {
      for (const side of ['start', 'end'] as const) {
        for (const sign of dy === 0 ? [1] : [1, -1]) {
          const y = p.y + 4 + sign * dy;
          const x1 = side === 'start' ? p.x + 10 : p.x - 10 - w;
          const box = { x1, x2: x1 + w, y1: y - 10, y2: y + 2 };
          if (box.x2 > bounds.right + 40 || box.x1 < 0 || box.y1 < bounds.top || box.y2 > bounds.bottom - 2 || hits(box)) continue;
          placed.push(box);
          chosen = { x: side === 'start' ? p.x + 10 : p.x - 10, y, anchor: side };
          break;
        }
        if (chosen) break;
      }
    }
    out.set(p.id, chosen ?? { x: p.x + 10, y: p.y + 4, anchor: 'start' });
  }
  return out;
}

function labelSvg(b: LabelBox | undefined, cx: number, cy: number, text: string): string {
  const box = b ?? { x: cx + 10, y: cy + 4, anchor: 'start' as const };
  const leader = Math.abs(box.y - 4 - cy) > 6 ? `<line x1="${num(cx)}" y1="${num(cy)}" x2="${num(box.anchor === 'start' ? box.x - 2 : box.x + 2)}" y2="${num(box.y - 4)}" stroke="${COLORS.grid}" stroke-width="1"/>` : '';
  return `${leader}<text x="${num(box.x)}" y="${num(box.y)}" font-size="11" text-anchor="${box.anchor}" fill="${COLORS.text}">${esc(text)}</text>`;
}
