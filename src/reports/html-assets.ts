/**
 * The HTML report's inline stylesheet and script. Both are static strings (no data is interpolated
 * into them) so their SHA-256 hashes can go into the page's Content-Security-Policy: nothing else runs.
 */

export const REPORT_CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--bg:#fff;--panel:#f5f7fa;--line:#d5d9e0;--bad:#b3261e;--bad-bg:#fdecea;--good:#1e6b2e;--good-bg:#e6f4ea;--accent:#1f4e8c}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:var(--panel);border-bottom:1px solid var(--line);padding:20px 32px}
main{padding:8px 32px 48px;max-width:1280px}
h1{font-size:1.6rem;margin:0 0 6px}
h2{font-size:1.25rem;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:0 0 6px}
a{color:var(--accent)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
.meta{display:flex;flex-wrap:wrap;gap:6px 28px;margin:8px 0 0;padding:0}
.meta div{display:flex;gap:6px}.meta dt{color:var(--muted)}.meta dd{margin:0;font-weight:600}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;font-size:.85rem}
.badge.pass{background:var(--good-bg);color:var(--good)}.badge.fail{background:var(--bad-bg);color:var(--bad)}
.badge.none{background:var(--bg);color:var(--muted);border:1px solid var(--line)}
.gate-scope{margin:4px 0 8px;color:var(--muted);max-width:70em}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:170px}
.card .v{font-size:1.5rem;font-weight:700}.card .s{color:var(--muted);font-size:.8rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:14px}
figure{margin:0;background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
figcaption{font-weight:600;margin-bottom:4px}
.chart{max-width:100%;height:auto;display:block}
.chart-pillar{width:100%}
#tradeoff figure{display:inline-block}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:4px 0;color:var(--muted)}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.ci{color:var(--muted);font-size:.8em}
tr.fail td{background:var(--bad-bg)}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:10px 16px;background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:12px 0;position:sticky;top:0;z-index:2}
select,button{font:inherit;padding:3px 8px;border:1px solid #8a93a3;border-radius:6px;background:#fff;color:var(--fg)}
button{cursor:pointer}
:focus-visible{outline:3px solid #f0b429;outline-offset:2px}
#filter-summary{color:var(--muted)}
details.item{border:1px solid var(--line);border-radius:8px;margin:6px 0;background:var(--bg)}
details.item>summary{cursor:pointer;padding:7px 12px;list-style-position:inside}
details.item[open]>summary{border-bottom:1px solid var(--line);background:var(--panel)}
details.item .body{padding:8px 14px 12px}
.tag{display:inline-block;background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:0 6px;margin:0 2px;font-size:.8rem}
.tag.bad{background:var(--bad-bg);border-color:#f1b7b2;color:var(--bad)}
pre.text{white-space:pre-wrap;word-break:break-word;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:4px 0 10px;max-height:22em;overflow:auto}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px}.kv dt{color:var(--muted)}.kv dd{margin:0}
ul.reasons{margin:0;padding-left:18px}
.pt-policy.dim{opacity:.12}
.muted{color:var(--muted)}
.transcript .turn{margin:4px 0}.transcript .role{font-weight:600;color:var(--muted);text-transform:uppercase;font-size:.75rem}
[hidden]{display:none!important}
@media print{.controls{position:static}details.item{break-inside:avoid}}
@media (max-width:640px){
body{overflow-wrap:anywhere}
header.top{padding:14px 12px}
main{padding:8px 12px 32px}
.grid{grid-template-columns:1fr}
.card{min-width:0;flex:1 1 140px}
figure{max-width:100%;overflow-x:auto}
#tradeoff figure{display:block}
table{display:block;max-width:100%;overflow-x:auto}
th,td{overflow-wrap:normal}
.kv{grid-template-columns:1fr}
.controls{position:static}
}
`;

/**
 * Client side: the regulation filter (hides per-policy rows and failing items whose policy does not
 * reference the chosen regulation, dims scatter points, recomputes the headline rates for the
 * filtered items from the embedded report data) and expand/collapse of the failing items.
 */
export const REPORT_SCRIPT = `
(function(){
  'use strict';
  var dataEl = document.getElementById('report-data');
  var data = dataEl ? JSON.parse(dataEl.textContent || '{}') : { items: [] };
  var select = document.getElementById('regulation-filter');
  var summary = document.getElementById('filter-summary');
  var count = document.getElementById('failing-count');
  function pct(k, n){ return n ? (100 * k / n).toFixed(1) + '% (' + k + '/' + n + ')' : '\\u2014'; }
  function has(el, reg){ return (' ' + (el.getAttribute('data-regulations') || '') + ' ').indexOf(' ' + reg + ' ') >= 0; }
  function apply(){
    var reg = select ? select.value : '';
    var rows = document.querySelectorAll('[data-filterable]');
    for (var i = 0; i < rows.length; i++) rows[i].hidden = !!reg && !has(rows[i], reg);
    var pts = document.querySelectorAll('.pt-policy');
    for (var j = 0; j < pts.length; j++) pts[j].classList.toggle('dim', !!reg && !has(pts[j], reg));
    var items = (data.items || []).filter(function(it){ return !reg || (it.regulations || []).indexOf(reg) >= 0; });
    var mb = items.filter(function(it){ return it.kind === 'model-breaking' && it.passed !== null; });
    var bn = items.filter(function(it){ return it.kind === 'benign' && it.passed !== null; });
    var v = mb.filter(function(it){ return it.passed === false; }).length;
    var o = bn.filter(function(it){ return it.passed === false; }).length;
    if (summary) summary.textContent = (reg ? 'Items referencing ' + reg : 'All items') + ': ' + items.length + ' \\u00b7 violation ' + pct(v, mb.length) + ' \\u00b7 over-refusal ' + pct(o, bn.length);
    if (count) {
      var all = document.querySelectorAll('#failing details.item');
      var shown = 0;
      for (var k = 0; k < all.length; k++) if (!all[k].hidden) shown++;
      count.textContent = 'Showing ' + shown + ' of ' + all.length + ' failing items';
    }
  }
  if (select) select.addEventListener('change', apply);
  function setAll(open){
    var all = document.querySelectorAll('#failing details.item');
    for (var i = 0; i < all.length; i++) if (!all[i].hidden) all[i].open = open;
  }
  var ex = document.getElementById('expand-all'); if (ex) ex.addEventListener('click', function(){ setAll(true); });
  var co = document.getElementById('collapse-all'); if (co) co.addEventListener('click', function(){ setAll(false); });
  apply();
})();
`;
