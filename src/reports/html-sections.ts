import { escapeHtml as esc, pct, tidyNumber } from './format.js';
import { asr, parseSections } from './sections.js';

/** HTML for the optional report sections (red team, frontier, and any other a feature adds). */
export function sectionsHtml(sections: Record<string, unknown> | undefined): string {
  const s = parseSections(sections);
  const out: string[] = [];
  if (s.redteam) {
    const r = s.redteam;
    const rows = [...r.by_policy_strategy]
      .sort((a, b) => (asr(b.successes, b.attempts) ?? -1) - (asr(a.successes, a.attempts) ?? -1) || a.policy.localeCompare(b.policy))
      .map(
        (x) =>
          `<tr><td><code>${esc(x.policy)}</code></td><td>${esc(x.strategy)}</td><td class="num">${x.attempts}</td><td class="num">${x.successes}</td><td class="num">${pct(asr(x.successes, x.attempts))}</td></tr>`,
      )
      .join('');
    const transcripts = [...r.shortest_successes]
      .sort((a, b) => a.transcript.length - b.transcript.length)
      .map(
        (t) => `<details class="item"><summary><code>${esc(t.id)}</code> · <code>${esc(t.policy)}</code> · ${esc(t.strategy)} · ${t.transcript.length} turns${t.judge ? ` · <span class="tag bad">${esc(t.judge.label)}</span>` : ''}</summary><div class="body transcript">${t.transcript
          .map((m) => `<div class="turn"><div class="role">${esc(m.role)}</div><pre class="text">${esc(m.content)}</pre></div>`)
          .join('')}${t.judge ? `<p><strong>Judge</strong> ${esc(t.judge.label)} (score ${tidyNumber(t.judge.score)})</p><ul class="reasons">${t.judge.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}</div></details>`,
      )
      .join('');
    out.push(`<section id="redteam" aria-labelledby="redteam-h"><h2 id="redteam-h">${esc(r.title ?? 'Red team')}</h2>
<p>Attack success rate: <strong>${pct(asr(r.successes, r.attempts))}</strong> (${r.successes} of ${r.attempts} attempts).</p>
<table><caption>Attack success rate per policy and strategy</caption><thead><tr><th scope="col">Policy</th><th scope="col">Strategy</th><th scope="col">Attempts</th><th scope="col">Successes</th><th scope="col">ASR</th></tr></thead><tbody>${rows}</tbody></table>
${transcripts ? `<h3>Shortest successful attacks</h3>${transcripts}` : ''}</section>`);
  }
  if (s.frontier) {
    const f = s.frontier;
    const rows = f.domains
      .map(
        (d) =>
          `<tr class="${d.passed ? '' : 'fail'}"><td>${esc(d.domain)}</td><td class="num">${tidyNumber(d.score)}</td><td class="num">${d.direction === 'min' ? '≥' : '≤'} ${tidyNumber(d.threshold)}</td><td class="num">${d.n ?? '—'}</td><td><span class="badge ${d.passed ? 'pass' : 'fail'}">${d.passed ? 'within threshold' : 'THRESHOLD CROSSED'}</span></td><td>${esc(d.notes ?? '')}</td></tr>`,
      )
      .join('');
    const cases = f.review_cases
      .map((c) => `<tr><td><code>${esc(c.id)}</code></td><td>${esc(c.domain)}</td><td>${esc(c.status)}</td><td>${esc(c.reason)}</td><td>${esc(c.summary ?? '')}</td></tr>`)
      .join('');
    out.push(`<section id="frontier" aria-labelledby="frontier-h"><h2 id="frontier-h">${esc(f.title ?? 'Frontier capabilities')}</h2>
<table><caption>Domain scores against thresholds</caption><thead><tr><th scope="col">Domain</th><th scope="col">Score</th><th scope="col">Threshold</th><th scope="col">n</th><th scope="col">Result</th><th scope="col">Notes</th></tr></thead><tbody>${rows}</tbody></table>
${cases ? `<table><caption>Review cases</caption><thead><tr><th scope="col">Case</th><th scope="col">Domain</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Summary</th></tr></thead><tbody>${cases}</tbody></table>` : ''}</section>`);
  }
  if (s.agreement && s.agreement.judges.length > 0) {
    const rows = s.agreement.judges
      .map((j) => `<tr><td>${esc(j.judge)}</td><td><code>${esc(j.labelKey)}</code></td><td class="num">${j.n}</td><td class="num">${pct(j.agreement)}</td><td class="num">${j.kappa === null ? '—' : esc(j.kappa.toFixed(3))}</td><td class="num">${j.errors}</td></tr>`)
      .join('');
    out.push(`<section id="agreement" aria-labelledby="agreement-h"><h2 id="agreement-h">Judges vs human labels</h2>
<table><caption>Agreement of each judge with the human labels the items carry (Cohen's kappa)</caption><thead><tr><th scope="col">Judge</th><th scope="col">Label</th><th scope="col">n</th><th scope="col">Agreement</th><th scope="col">Kappa</th><th scope="col">Errors</th></tr></thead><tbody>${rows}</tbody></table></section>`);
  }
  for (const o of s.other) {
    out.push(`<section aria-labelledby="sec-${esc(o.key)}-h"><h2 id="sec-${esc(o.key)}-h">${esc(o.key)}</h2>${o.problem ? `<p class="muted">This section does not match its schema (${esc(o.problem)}); shown as data.</p>` : ''}<pre class="text">${esc(JSON.stringify(o.value, null, 2))}</pre></section>`);
  }
  return out.join('\n');
}
