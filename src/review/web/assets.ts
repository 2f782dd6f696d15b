/**
 * The app's only static files: one stylesheet and one small script (keyboard shortcuts and the
 * preference ranking). No build step; served from memory under <base>/static/.
 */

export const APP_CSS = `
:root { --fg:#1d2330; --muted:#667085; --line:#e3e6ec; --bg:#f6f7f9; --card:#fff; --accent:#2952cc; --bad:#c4352b; --good:#1f8a4c; --warn:#b7791f; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header.top { display:flex; align-items:center; gap:18px; padding:10px 20px; background:#111827; color:#fff; }
header.top a { color:#cbd5e1; text-decoration:none; margin-right:12px; }
header.top a.active, header.top a:hover { color:#fff; }
header.top .brand { font-weight:700; color:#fff; font-size:16px; }
header.top nav { flex:1; }
form.who { display:flex; gap:8px; align-items:center; margin:0; }
form.who small { color:#94a3b8; }
form.who button { background:transparent; color:#cbd5e1; border:1px solid #475569; border-radius:4px; padding:2px 8px; cursor:pointer; }
main { max-width:1180px; margin:0 auto; padding:18px 20px 40px; }
h1 { font-size:20px; margin:4px 0 14px; } h2 { font-size:16px; margin:22px 0 8px; } h3 { font-size:14px; margin:12px 0 6px; }
.grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(320px, 1fr)); gap:14px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
table { border-collapse:collapse; width:100%; background:var(--card); border:1px solid var(--line); border-radius:8px; overflow:hidden; }
th, td { text-align:left; padding:6px 9px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f1f3f7; font-weight:600; font-size:12px; color:#475067; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.pass { color:var(--good); font-weight:600; } .fail { color:var(--bad); font-weight:600; } .muted { color:var(--muted); }
.badge { display:inline-block; padding:1px 7px; border-radius:10px; background:#eef2ff; color:#3730a3; font-size:12px; margin-right:4px; }
.badge.bad { background:#fdecea; color:var(--bad); } .badge.good { background:#e7f6ec; color:var(--good); } .badge.warn { background:#fff4e0; color:var(--warn); }
svg.chart .gl { stroke:#e5e7eb; } svg.chart .axis { font-size:9px; fill:#8a93a6; } svg.chart .title { font-size:11px; font-weight:600; fill:#374151; }
svg.chart polyline { stroke-width:2; } svg.chart .violation { stroke:var(--bad); fill:var(--bad); } svg.chart .over-refusal { stroke:var(--accent); fill:var(--accent); }
svg.chart polyline.violation, svg.chart polyline.over-refusal { fill:none; }
.legend span { margin-right:12px; font-size:12px; } .legend .v::before { content:"■ "; color:var(--bad); } .legend .o::before { content:"■ "; color:var(--accent); }
.progress { position:relative; min-width:160px; } .progress svg { display:block; } .progress .track { fill:#e5e7eb; } .progress .fill { fill:var(--good); }
.progress span { font-size:12px; color:var(--muted); }
.login { max-width:340px; margin:60px auto; }
label { display:block; margin:8px 0 3px; font-weight:600; font-size:13px; }
input[type=text], input[type=password], select, textarea { width:100%; padding:7px 9px; border:1px solid #cfd5df; border-radius:6px; font:inherit; background:#fff; }
button, .button { background:var(--accent); color:#fff; border:0; border-radius:6px; padding:7px 14px; font:inherit; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary { background:#e9edf5; color:var(--fg); }
.error { background:#fdecea; color:var(--bad); padding:8px 10px; border-radius:6px; margin:8px 0; }
.task { display:grid; grid-template-columns: minmax(0, 1.6fr) minmax(0, 1fr); gap:16px; }
.msg { border:1px solid var(--line); border-radius:8px; padding:9px 11px; margin:8px 0; background:#fff; white-space:pre-wrap; }
.msg .role { font-size:11px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); display:block; margin-bottom:3px; }
.msg.assistant { background:#f8fafc; border-left:3px solid var(--accent); } .msg.system { background:#fffbeb; }
.responses .msg { position:relative; } .responses .rank { position:absolute; right:10px; top:8px; font-weight:700; color:var(--accent); }
.verdicts form { display:flex; flex-wrap:wrap; gap:8px; margin:6px 0; }
.verdicts button kbd, .keys kbd { background:rgba(255,255,255,.25); border-radius:3px; padding:0 4px; margin-right:4px; font-size:12px; }
.keys { font-size:12px; color:var(--muted); } .keys kbd { background:#eef0f4; color:#111; border:1px solid #d4d8e0; }
dl.meta { display:grid; grid-template-columns:auto 1fr; gap:3px 10px; margin:0; } dl.meta dt { color:var(--muted); } dl.meta dd { margin:0; }
.judge { border-top:1px solid var(--line); padding:6px 0; } .judge ul { margin:3px 0 0 18px; padding:0; color:#475067; }
.mine { outline:2px solid var(--good); }
#compare-form select { width:auto; max-width:340px; display:inline-block; margin:0 6px; }
pre { white-space:pre-wrap; background:#f8fafc; border:1px solid var(--line); padding:8px; border-radius:6px; }
#help:not([hidden]) { position:fixed; left:50%; top:80px; transform:translateX(-50%); width:min(560px, calc(100vw - 24px)); max-height:calc(100vh - 100px); overflow:auto; z-index:20; box-shadow:0 12px 40px rgba(17,24,39,.35); }
#help ul { margin:4px 0 8px 18px; padding:0; } #help kbd { background:#eef0f4; border:1px solid #d4d8e0; border-radius:3px; padding:0 4px; font-size:12px; }
@media (max-width:720px) {
  body { overflow-wrap:anywhere; }
  header.top { flex-wrap:wrap; gap:6px 12px; padding:8px 12px; }
  header.top nav { order:3; flex:1 1 100%; display:flex; flex-wrap:wrap; gap:2px 12px; }
  header.top a { margin-right:0; }
  form.who { margin-left:auto; min-width:0; }
  form.who span { min-width:0; max-width:52vw; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  main { padding:12px 12px 32px; }
  .grid { grid-template-columns:1fr; }
  .task { grid-template-columns:1fr; }
  table { display:block; max-width:100%; overflow-x:auto; }
  th, td { overflow-wrap:normal; }
  .progress { min-width:0; } .progress svg { max-width:100%; height:auto; }
  svg { max-width:100%; height:auto; }
  #compare-form select { max-width:100%; margin:4px 0; }
}
`;

export const APP_JS = `
(function () {
  'use strict';
  var body = document.body;
  var kind = body.getAttribute('data-kind');
  function go(id) { var a = document.getElementById(id); if (a && a.href) { window.location.href = a.href; return true; } return false; }
  function submit(id) { var f = document.getElementById(id); if (f) { f.submit(); return true; } return false; }
  var ranking = [];
  var rankInput = document.getElementById('ranking');
  function showRanking() {
    var cards = document.querySelectorAll('.responses [data-index]');
    for (var i = 0; i < cards.length; i++) {
      var idx = Number(cards[i].getAttribute('data-index'));
      var pos = ranking.indexOf(idx);
      var badge = cards[i].querySelector('.rank');
      if (badge) badge.textContent = pos >= 0 ? '#' + (pos + 1) : '';
    }
    if (rankInput) rankInput.value = ranking.join(',');
    var st = document.getElementById('rank-status');
    if (st) st.textContent = ranking.length ? 'ranking: ' + ranking.join(' > ') : '';
  }
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key;
    if (k === 'j' || k === 'n') { if (go('next-task')) e.preventDefault(); return; }
    if (k === 'k' || k === 'p') { if (go('prev-task')) e.preventDefault(); return; }
    if (k === 'u') { if (submit('undo-form')) e.preventDefault(); return; }
    if (k === '?') { var h = document.getElementById('help'); if (h) { h.hidden = !h.hidden; e.preventDefault(); } return; }
    if (k === 'Escape') { var hh = document.getElementById('help'); if (hh && !hh.hidden) { hh.hidden = true; e.preventDefault(); } return; }
    if (kind === 'preference') {
      var n = Number(body.getAttribute('data-responses'));
      var d = Number(k);
      if (d >= 1 && d <= n) { if (ranking.indexOf(d) < 0) ranking.push(d); if (ranking.length === n - 1) { for (var i = 1; i <= n; i++) if (ranking.indexOf(i) < 0) ranking.push(i); } showRanking(); e.preventDefault(); return; }
      if (k === 'Backspace') { ranking.pop(); showRanking(); e.preventDefault(); return; }
      if (k === 'Enter' && ranking.length === n) { submit('rank-form'); e.preventDefault(); return; }
      return;
    }
    var btn = document.querySelector('button[data-key="' + k + '"]');
    if (btn) { e.preventDefault(); btn.click(); }
  });
  if (rankInput) rankInput.addEventListener('input', function () { ranking = rankInput.value.split(',').map(Number).filter(function (x) { return x > 0; }); showRanking(); });
})();
`;
