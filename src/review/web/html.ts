/**
 * Server-side HTML: an escaping tagged template (every interpolation is escaped unless it is a
 * `Raw` produced by `html` itself), the page layout and small inline-SVG charts.
 */

import { escapeHtml as esc, html, Raw } from '../../core/html.js';

export { esc, html, Raw };

export interface LayoutInput {
  base: string;
  title: string;
  user?: { name: string; role: string } | null;
  csrf?: string;
  active?: string;
  body: Raw;
  /** Attributes for <body>, e.g. data-task. */
  bodyAttrs?: Record<string, string | number>;
}

export function layout(p: LayoutInput): string {
  const nav: [string, string, string[]][] = [
    ['dashboard', `${p.base}/`, ['admin', 'reviewer']],
    ['queues', `${p.base}/queues`, ['admin', 'reviewer', 'expert', 'vendor']],
    ['audit', `${p.base}/audit`, ['admin', 'reviewer']],
    ['policy', `${p.base}/policy`, ['admin', 'reviewer']],
    ['frontier', `${p.base}/frontier`, ['admin', 'reviewer', 'expert']],
    ['approvals', `${p.base}/approvals`, ['admin', 'reviewer']],
    ['admin', `${p.base}/admin`, ['admin']],
  ];
  const attrs = Object.entries(p.bodyAttrs ?? {})
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  const links = p.user ? nav.filter(([, , roles]) => roles.includes(p.user!.role)) : [];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} · Pillars review</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="${esc(p.base)}/static/app.css"><script src="${esc(p.base)}/static/app.js" defer></script></head>
<body${attrs}>
<header class="top"><a class="brand" href="${esc(p.base)}/">Pillars</a>
<nav>${links.map(([name, href]) => `<a href="${esc(href)}"${p.active === name ? ' class="active"' : ''}>${esc(name)}</a>`).join('')}</nav>
${
  p.user
    ? `<form class="who" method="post" action="${esc(p.base)}/logout"><span>${esc(p.user.name)} <small>${esc(p.user.role)}</small></span><input type="hidden" name="_csrf" value="${esc(p.csrf ?? '')}"><button type="submit">Sign out</button></form>`
    : ''
}
</header>
<main>${p.body.value}</main>
${
  p.body.value.includes('id="help"')
    ? ''
    : `<div id="help" class="card" role="dialog" aria-label="Keyboard shortcuts" hidden><h3>Keyboard</h3><p>Shortcuts work on review tasks: open a queue, press <b>Review next</b>, then <kbd>?</kbd> there lists the verdict keys. <kbd>Esc</kbd> closes this help.</p></div>`
}
</body></html>`;
}

export const pct = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)}%`);
export const num3 = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));

export interface Series {
  name: string;
  cls: string;
  values: (number | null)[];
}

/** A small line chart of rates in [0, 1] over runs (x = run index, oldest left). */
export function lineChart(title: string, labels: string[], series: Series[], w = 300, h = 120): Raw {
  const pad = { l: 30, r: 8, t: 18, b: 16 };
  const iw = w - pad.l - pad.r;
  const ih = h - pad.t - pad.b;
  const x = (i: number): number => pad.l + (labels.length <= 1 ? iw / 2 : (i * iw) / (labels.length - 1));
  const y = (v: number): number => pad.t + ih - v * ih;
  const grid = [0, 0.5, 1].map((g) => `<line class="gl" x1="${pad.l}" x2="${w - pad.r}" y1="${y(g)}" y2="${y(g)}"/><text class="axis" x="${pad.l - 4}" y="${y(g) + 3}" text-anchor="end">${g * 100}%</text>`);
  const lines = series.map((s) => {
    const pts = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter((p): p is string => p !== null);
    const dots = s.values
      .map((v, i) => (v === null ? '' : `<circle class="${esc(s.cls)}" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5"><title>${esc(s.name)} ${esc(labels[i])}: ${pct(v)}</title></circle>`))
      .join('');
    return `<polyline class="${esc(s.cls)}" fill="none" points="${pts.join(' ')}"/>${dots}`;
  });
  return new Raw(
    `<svg class="chart" data-chart="trend" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}"><text class="title" x="${pad.l}" y="12">${esc(title)}</text>${grid.join('')}${lines.join('')}</svg>`,
  );
}

/** A horizontal progress bar (SVG: no inline styles, so the CSP can forbid them). */
export function progressBar(done: number, total: number, label: string): Raw {
  const share = total ? Math.min(1, done / total) : 0;
  return html`<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="${total}" aria-valuenow="${done}" title="${label}"><svg viewBox="0 0 100 6" preserveAspectRatio="none" width="100%" height="8"><rect class="track" x="0" y="0" width="100" height="6" rx="2"/><rect class="fill" x="0" y="0" width="${(share * 100).toFixed(2)}" height="6" rx="2"/></svg><span>${label}</span></div>`;
}
