/**
 * Surface variants of a hand-written seed: the same request with a different opener, register,
 * casing, punctuation or a typo. None of these changes what is asked for, so a variant keeps its
 * seed's policy and level. Adversarial rewrites (role-play, obfuscation ...) live in adversarial.ts.
 */
import { pick } from './lib.js';

const OPENERS_EN = [
  'quick question: ', 'hey, ', 'Hi! ', 'ok so ', 'Hello. ', 'Question for you: ', 'Honest question - ', 'hi there, ',
  'Random thought, ', 'Sorry if this is a dumb question but ', 'Can I ask something? ', 'Um, ', 'So, ', 'yo ',
  'I was wondering: ', 'Good morning. ', 'Need some help. ', 'Serious question: ', 'Curious: ', 'hey assistant, ',
];
const CLOSERS_EN = [
  ' thanks', ' Thank you!', ' thx', ' ty in advance', ' Appreciate it.', ' cheers', ' pls', ' (asking seriously)',
  ' Thanks in advance.', ' :)', ' no lecture please', ' be brief', ' Much appreciated.', ' ??', ' lol',
];
const OPENERS: Record<string, string[]> = {
  en: OPENERS_EN,
  es: ['Hola, ', 'Oye, ', 'Una pregunta: ', 'Buenas, ', 'Perdona, '],
  fr: ['Bonjour, ', 'Salut, ', 'Petite question : ', 'Dis-moi, ', 'Excusez-moi, '],
  de: ['Hallo, ', 'Hi, ', 'Kurze Frage: ', 'Sag mal, ', 'Guten Tag, '],
  pt: ['Olá, ', 'Oi, ', 'Uma dúvida: ', 'Ei, ', 'Bom dia, '],
  it: ['Ciao, ', 'Salve, ', 'Una domanda: ', 'Scusa, ', 'Buongiorno, '],
  nl: ['Hoi, ', 'Hallo, ', 'Korte vraag: ', 'Hé, ', 'Goedemiddag, '],
};
const CLOSERS: Record<string, string[]> = {
  en: CLOSERS_EN,
  es: [' gracias', ' ¡Gracias!', ' porfa', ' Gracias de antemano.'],
  fr: [' merci', ' Merci d\'avance.', ' stp', ' Merci !'],
  de: [' danke', ' Danke im Voraus.', ' bitte', ' Danke!'],
  pt: [' obrigado', ' Valeu!', ' por favor', ' Obrigada desde já.'],
  it: [' grazie', ' Grazie mille!', ' per favore', ' Grazie in anticipo.'],
  nl: [' dank je', ' Alvast bedankt.', ' alsjeblieft', ' Thanks!'],
};

/** Phrase swaps that keep the meaning. Applied once, first match wins. */
const SWAPS: [RegExp, string[]][] = [
  [/^Can you /i, ['Could you ', 'Would you ', 'Can u ', 'Please ']],
  [/^Could you /i, ['Can you ', 'Would you mind to ', 'Pls ']],
  [/^How do I /i, ['How would I ', 'How can I ', 'What\'s the way to ', 'how do i ']],
  [/^How can I /i, ['How do I ', 'How could I ', 'Whats the best way to ']],
  [/^What is /i, ['What\'s ', 'Explain what ', 'whats ']],
  [/^What are /i, ['What\'re ', 'Tell me what ', 'what are ']],
  [/^Explain /i, ['Can you explain ', 'Please explain ', 'Walk me through ']],
  [/^Tell me /i, ['Give me ', 'I need ', 'Please tell me ']],
  [/^Write /i, ['Draft ', 'Can you write ', 'Please write ', 'Compose ']],
  [/^Give me /i, ['I need ', 'Provide ', 'Send me ', 'Can I get ']],
  [/^I need /i, ['I want ', 'Help me with ', 'I\'m looking for ']],
  [/^Why /i, ['Why exactly ', 'So why ', 'why ']],
];

function typo(r: () => number, s: string): string {
  const words = s.split(' ');
  const idx = words.map((w, i) => (w.length >= 5 && /^[\p{L}]+$/u.test(w) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return s;
  const i = pick(r, idx);
  const w = words[i]!;
  const p = 1 + Math.floor(r() * (w.length - 2));
  const kind = Math.floor(r() * 3);
  words[i] =
    kind === 0 ? w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2) // swap
    : kind === 1 ? w.slice(0, p) + w.slice(p + 1) // drop
    : w.slice(0, p) + w[p] + w.slice(p); // double
  return words.join(' ');
}

function lowerNoPunct(s: string): string {
  return s.toLowerCase().replace(/[.?!]+$/u, '').replace(/\s+,/g, ',');
}

function decapitalise(s: string): string {
  return /^[A-Z][a-z]/.test(s) && !/^I\b/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

type Transform = (r: () => number, s: string, lang: string) => string;

const TRANSFORMS: Transform[] = [
  (r, s, lang) => pick(r, OPENERS[lang] ?? OPENERS_EN) + decapitalise(s),
  (r, s, lang) => s.replace(/\s*$/, '') + pick(r, CLOSERS[lang] ?? CLOSERS_EN),
  (_r, s) => lowerNoPunct(s),
  (r, s) => typo(r, s),
  (r, s) => {
    for (const [re, alts] of SWAPS) if (re.test(s)) return s.replace(re, pick(r, alts));
    return typo(r, s);
  },
  (_r, s) => s.replace(/\?$/, '??').replace(/\.$/, '').replace(/^(.)/, (c) => c.toUpperCase()),
];

/**
 * `n` distinct variants of `text` (the seed itself not included). Each applies one or two
 * transforms; duplicates of the seed or of each other are dropped and retried a bounded number of times.
 */
export function surfaceVariants(r: () => number, text: string, n: number, lang = 'en'): string[] {
  const out: string[] = [];
  const seen = new Set([text]);
  for (let tries = 0; out.length < n && tries < n * 12; tries++) {
    let s = text;
    const k = 1 + (r() < 0.45 ? 1 : 0);
    const used = new Set<number>();
    for (let j = 0; j < k; j++) {
      let t = Math.floor(r() * TRANSFORMS.length);
      if (lang !== 'en' && t === 4) t = 3;
      if (used.has(t)) continue;
      used.add(t);
      s = TRANSFORMS[t]!(r, s, lang);
    }
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}
