/**
 * URL checks on answers and tool-call arguments: links to domains off the allow-list, and
 * markdown images that would leak data when rendered (the client fetches the image: a URL with a
 * query, or off the allow-list, carries whatever the model was told to put in it).
 */

export interface UrlFinding {
  kind: 'image-exfiltration' | 'domain';
  url: string;
  host: string;
}

const IMAGE = /!\[[^\]]{0,500}\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
// Reference-style images: ![alt][ref] ... [ref]: url
const REF_DEF = /^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s|$)/gm;
const REF_IMAGE = /!\[[^\]]{0,500}\]\[([^\]]+)\]/g;
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'`)\]]+/gi;

function hostOf(url: string): string | null {
  try {
    return new URL(url.startsWith('www.') ? `https://${url}` : url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return null;
  }
}

/** Is `host` one of the domains (or a subdomain of one)? */
export function allowedHost(host: string, allow: readonly string[]): boolean {
  return allow.some((d) => {
    const dom = d.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
    return host === dom || host.endsWith(`.${dom}`);
  });
}

function imageLeaks(url: string, host: string | null, allow: readonly string[]): boolean {
  if (url.startsWith('data:')) return false;
  if (host === null) return /^[a-z][\w+.-]*:/i.test(url) && !url.startsWith('/');
  if (allow.length > 0 && !allowedHost(host, allow)) return true;
  try {
    const u = new URL(url);
    // A query, or a long opaque path segment, is room for data.
    return u.search.length > 1 || u.pathname.split('/').some((seg) => seg.length > 64);
  } catch {
    return true;
  }
}

/** What is wrong with the URLs of one text (empty: nothing). */
export function checkUrls(text: string, opts: { allow: readonly string[]; images: 'refuse' | 'allow' }): UrlFinding[] {
  if (!/https?:|www\.|!\[|\]:/i.test(text)) return [];
  const out: UrlFinding[] = [];
  const images = new Set<string>();
  if (opts.images === 'refuse') {
    const refs = new Map<string, string>();
    for (const m of text.matchAll(REF_DEF)) refs.set(m[1]!.toLowerCase(), m[2]!);
    const urls = [...[...text.matchAll(IMAGE)].map((m) => m[1]!), ...[...text.matchAll(REF_IMAGE)].map((m) => refs.get(m[1]!.toLowerCase())).filter((u): u is string => !!u)];
    for (const url of urls) {
      images.add(url);
      const host = hostOf(url);
      if (imageLeaks(url, host, opts.allow)) out.push({ kind: 'image-exfiltration', url, host: host ?? '' });
    }
  }
  if (opts.allow.length > 0) {
    for (const m of text.matchAll(URL_RE)) {
      const url = m[0].replace(/[.,;:!?]+$/, '');
      if (images.has(url)) continue;
      const host = hostOf(url);
      if (host !== null && !allowedHost(host, opts.allow)) out.push({ kind: 'domain', url, host });
    }
  }
  return out;
}
