/**
 * The words of tool-call arguments (a JSON object as text, possibly still partial while it
 * streams), for the guard: the string values of whole JSON, else the text with JSON escapes
 * undone and JSON punctuation blanked.
 */

export function argsText(raw: string): string {
  const t = raw.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      const strings: string[] = [];
      collect(JSON.parse(t) as unknown, strings);
      return strings.join('\n');
    } catch {
      // Partial JSON (a streamed window): read it leniently below.
    }
  }
  return raw
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\([nrt])/g, (_, c: string) => (c === 'n' ? '\n' : ' '))
    .replace(/\\(["\\/])/g, '$1')
    .replace(/[{}[\]"]/g, ' ');
}

function collect(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collect(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x, out);
}
