import { isIP } from 'node:net';
import type { PiiSpan } from '../core/types.js';

/**
 * PII and secret detection with validation where a checksum exists (Luhn for cards and Canadian
 * SINs, ISO 13616 mod-97 for IBANs) and structural rules elsewhere (SSN area/group/serial ranges,
 * UK NINO prefixes, IP parsing by node:net). Person names and street addresses are heuristics
 * (titles, "my name is", sign-offs; house number + street suffix): precise, limited recall.
 * Values never leave this module except inside the caller's own text: spans carry a masked preview.
 */

export const PII_TYPES = [
  'email', 'phone', 'card', 'iban', 'ssn', 'nino', 'sin', 'ip', 'api_key', 'jwt', 'private_key', 'secret', 'address', 'name',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** Stronger (more specific) detectors win overlaps. */
const PRIORITY: Record<PiiType, number> = {
  private_key: 14, jwt: 13, api_key: 12, secret: 11, email: 10, iban: 9, card: 8, ssn: 7, nino: 7, sin: 6, ip: 5, phone: 4, address: 3, name: 2,
};

interface Found {
  type: PiiType;
  start: number;
  end: number;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AT: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18,
  FR: 27, GB: 22, GR: 27, HR: 21, HU: 28, IE: 22, IL: 23, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31,
  NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SA: 24, SE: 24, SI: 19, SK: 24, SM: 27, TR: 26,
};

/** ISO 13616: move the first four characters to the end, letters → 10..35, mod 97 must be 1. */
export function ibanValid(raw: string): boolean {
  const s = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const want = IBAN_LENGTHS[s.slice(0, 2)];
  if (want !== undefined && want !== s.length) return false;
  const r = s.slice(4) + s.slice(0, 4);
  let mod = 0;
  for (const ch of r) {
    const c = ch.charCodeAt(0);
    const v = c >= 65 ? String(c - 55) : ch;
    for (const d of v) mod = (mod * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return mod === 1;
}

export function ssnValid(s: string): boolean {
  const d = s.replace(/\D/g, '');
  if (d.length !== 9) return false;
  const area = d.slice(0, 3);
  return area !== '000' && area !== '666' && area[0] !== '9' && d.slice(3, 5) !== '00' && d.slice(5) !== '0000';
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const f = new Map<string, number>();
  for (const c of s) f.set(c, (f.get(c) ?? 0) + 1);
  let e = 0;
  for (const n of f.values()) {
    const p = n / s.length;
    e -= p * Math.log2(p);
  }
  return e;
}

const RX = {
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
  card: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
  iban: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g,
  ssn: /(?<![\d-])\d{3}([- ])\d{2}\1\d{4}(?![\d-])/g,
  ssnBare: /\b(?:ssn|social security(?: number)?)\D{0,20}(\d{9})\b/gi,
  nino: /\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g,
  sin: /(?<![\d-])\d{3}([- ])\d{3}\1\d{3}(?![\d-])/g,
  phoneIntl: /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\w])/g,
  phoneUs: /(?<![\w-])(?:\(\d{3}\)\s?|\d{3}[.-])\d{3}[.-]\d{4}(?![\w-])/g,
  phoneUsSpaced: /(?<![\w-])\d{3} \d{3} \d{4}(?![\w-])/g,
  ipv4: /(?<![\d.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\d.])/g,
  ipv6: /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])/g,
  apiKey:
    /\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|glpat-[A-Za-z0-9_-]{20,})/g,
  jwt: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g,
  privateKey: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g,
  secret: /\b(?:api[_-]?key|apikey|secret(?:[_-]?key)?|client[_-]?secret|access[_-]?token|auth[_-]?token|token|password|passwd|pwd)\b["']?\s*[:=]\s*["']?([^\s"',;]{6,})/gi,
  address:
    /\b\d{1,6}[A-Za-z]?\s+(?:[A-Z][a-z]+\.?\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Circle|Parkway|Pkwy|Highway|Hwy|Square|Sq)\b\.?(?:,?\s+(?:Apt|Apartment|Suite|Unit|Flat)\.?\s*#?\w+)?/g,
  addressDe: /\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|weg|allee|platz|gasse)\s+\d{1,4}[a-z]?\b/g,
  nameTitle: /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)\.?\s+[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?/g,
  nameCue: /\b(?:[Mm]y name is|[Nn]ame:|[Ss]igned,?|[Rr]egards,|[Ss]incerely,|[Dd]ear|[Pp]atient:|[Cc]ustomer:)\s+([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2})/g,
};

function each(rx: RegExp, text: string, fn: (m: RegExpExecArray) => void): void {
  rx.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = rx.exec(text)) !== null) {
    fn(m);
    if (m[0].length === 0) rx.lastIndex++;
  }
}

function mask(type: PiiType, value: string): string {
  if (type === 'private_key' || type === 'secret' || type === 'api_key' || type === 'jwt') return `[${type}]`;
  const digits = value.replace(/\D/g, '');
  if ((type === 'card' || type === 'iban') && digits.length >= 4) return `…${value.replace(/\s+/g, '').slice(-4)}`;
  if (value.length <= 4) return '*'.repeat(value.length);
  return `${value[0]}${'*'.repeat(Math.min(8, value.length - 2))}${value[value.length - 1]}`;
}

/** Every PII span in the text (non-overlapping, in order). */
export function detectPii(text: string, opts: { types?: readonly PiiType[] } = {}): PiiSpan[] {
  const want = new Set<PiiType>(opts.types ?? PII_TYPES);
  const found: Found[] = [];
  const add = (type: PiiType, start: number, end: number): void => {
    if (want.has(type)) found.push({ type, start, end });
  };
  const hasDigit = /\d/.test(text);
  if (text.includes('-----BEGIN')) each(RX.privateKey, text, (m) => add('private_key', m.index, m.index + m[0].length));
  if (text.includes('eyJ')) each(RX.jwt, text, (m) => add('jwt', m.index, m.index + m[0].length));
  each(RX.apiKey, text, (m) => add('api_key', m.index, m.index + m[0].length));
  each(RX.secret, text, (m) => {
    const v = m[1]!;
    const isPassword = /^(?:password|passwd|pwd)/i.test(m[0]);
    if (isPassword || (v.length >= 12 && entropy(v) >= 3)) {
      const start = m.index + m[0].length - v.length;
      add('secret', start, start + v.length);
    }
  });
  if (text.includes('@')) each(RX.email, text, (m) => add('email', m.index, m.index + m[0].length));
  if (hasDigit) {
    each(RX.iban, text, (m) => {
      if (ibanValid(m[0])) add('iban', m.index, m.index + m[0].length);
    });
    each(RX.card, text, (m) => {
      const d = m[0].replace(/\D/g, '');
      if (d.length >= 13 && d.length <= 19 && luhnValid(d) && !/^(\d)\1+$/.test(d)) add('card', m.index, m.index + m[0].length);
    });
    each(RX.ssn, text, (m) => {
      if (ssnValid(m[0])) add('ssn', m.index, m.index + m[0].length);
    });
    each(RX.ssnBare, text, (m) => {
      if (ssnValid(m[1]!)) {
        const start = m.index + m[0].length - m[1]!.length;
        add('ssn', start, start + 9);
      }
    });
    each(RX.nino, text, (m) => add('nino', m.index, m.index + m[0].length));
    each(RX.sin, text, (m) => {
      const d = m[0].replace(/\D/g, '');
      if (d[0] !== '0' && d[0] !== '8' && luhnValid(d)) {
        add('sin', m.index, m.index + m[0].length);
      }
    });
    for (const rx of [RX.phoneIntl, RX.phoneUs, RX.phoneUsSpaced]) {
      each(rx, text, (m) => {
        const d = m[0].replace(/\D/g, '');
        if (d.length >= 7 && d.length <= 15) add('phone', m.index, m.index + m[0].trimEnd().length);
      });
    }
    each(RX.ipv4, text, (m) => add('ip', m.index, m.index + m[0].length));
    each(RX.address, text, (m) => add('address', m.index, m.index + m[0].length));
    each(RX.addressDe, text, (m) => add('address', m.index, m.index + m[0].length));
  }
  if (text.includes(':')) {
    each(RX.ipv6, text, (m) => {
      if (isIP(m[0]) === 6) add('ip', m.index, m.index + m[0].length);
    });
  }
  each(RX.nameTitle, text, (m) => add('name', m.index, m.index + m[0].length));
  each(RX.nameCue, text, (m) => {
    const start = m.index + m[0].length - m[1]!.length;
    add('name', start, start + m[1]!.length);
  });

  // Resolve overlaps: higher priority first, then longer, then earlier.
  found.sort((a, b) => PRIORITY[b.type] - PRIORITY[a.type] || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Found[] = [];
  for (const f of found) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  kept.sort((a, b) => a.start - b.start);
  return kept.map((f) => ({ type: f.type, start: f.start, end: f.end, preview: mask(f.type, text.slice(f.start, f.end)) }));
}

/** The placeholder a redacted span becomes: [EMAIL], [CARD], [API_KEY] ... */
export const placeholder = (type: string): string => `[${type.toUpperCase()}]`;

/** Replace every PII span with its placeholder. */
export function redactPii(text: string, opts: { types?: readonly PiiType[] } = {}): { text: string; spans: PiiSpan[] } {
  const spans = detectPii(text, opts);
  if (spans.length === 0) return { text, spans };
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + placeholder(s.type);
    at = s.end;
  }
  return { text: out + text.slice(at), spans };
}
