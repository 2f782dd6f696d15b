/**
 * Where a request's sources come from, in the shapes RAG clients send them:
 * - `documents`: an array of strings or of objects with `text`/`content`/`snippet` (and an
 *   optional `title`), at the top level of the request (the OpenAI-style extension vLLM, Cohere
 *   and others read) or under `extra_body`;
 * - tool results: the content of every `role: "tool"` (and legacy `function`) message, i.e. the
 *   chunks a retrieval tool returned;
 * - the `x-pillars-sources` header (a JSON array of strings, or one plain string) or the
 *   `x_pillars_sources` body field (an array of strings): for clients that put retrieved text
 *   into the prompt and want it checked as a source.
 */

export const SOURCES_HEADER = 'x-pillars-sources';

interface Msg {
  role?: unknown;
  content?: unknown;
}

function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const parts = v.map((p) => (typeof p === 'string' ? p : p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).filter(Boolean);
    return parts.length ? parts.join('\n') : null;
  }
  return null;
}

function docText(d: unknown): string | null {
  if (typeof d === 'string') return d;
  if (!d || typeof d !== 'object') return null;
  const o = d as Record<string, unknown>;
  const data = o.data && typeof o.data === 'object' ? (o.data as Record<string, unknown>) : o;
  const body = [data.text, data.content, data.snippet, data.page_content].find((x) => typeof x === 'string') as string | undefined;
  if (!body) return null;
  return typeof data.title === 'string' && data.title.trim() ? `${data.title.trim()}. ${body}` : body;
}

/** The sources of a request (empty when it carries none). `header` is the raw `x-pillars-sources` value. */
export function requestSources(body: Record<string, unknown>, header?: string | string[]): string[] {
  const out: string[] = [];
  const docs = Array.isArray(body.documents) ? body.documents : body.extra_body && typeof body.extra_body === 'object' && Array.isArray((body.extra_body as { documents?: unknown }).documents) ? ((body.extra_body as { documents: unknown[] }).documents) : [];
  for (const d of docs) {
    const t = docText(d);
    if (t?.trim()) out.push(t);
  }
  for (const m of (Array.isArray(body.messages) ? body.messages : []) as Msg[]) {
    if (m && (m.role === 'tool' || m.role === 'function')) {
      const t = textOf(m.content);
      if (t?.trim()) out.push(t);
    }
  }
  if (Array.isArray(body.x_pillars_sources)) for (const s of body.x_pillars_sources) if (typeof s === 'string' && s.trim()) out.push(s);
  const h = Array.isArray(header) ? header.join(',') : header;
  if (h && h.trim()) out.push(...parseSourcesHeader(h));
  return out;
}

/** `x-pillars-sources`: a JSON array of strings (URI-encoded or not), else the value itself. */
export function parseSourcesHeader(value: string): string[] {
  let v = value.trim();
  if (/^%5B/i.test(v)) v = decodeURIComponent(v);
  if (v.startsWith('[')) {
    try {
      const arr = JSON.parse(v) as unknown;
      if (Array.isArray(arr)) return arr.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
    } catch {
      // not JSON: the value is one source
    }
  }
  return [v];
}

/** The question an answer should address: the last user message's text. */
export function requestQuestion(body: Record<string, unknown>): string | undefined {
  const msgs = (Array.isArray(body.messages) ? body.messages : []) as Msg[];
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i]?.role === 'user') return textOf(msgs[i]!.content) ?? undefined;
  }
  return undefined;
}
