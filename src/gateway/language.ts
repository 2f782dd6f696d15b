/**
 * Language identification, offline and cheap: the writing system decides for scripts that belong
 * to one language (or a few); Latin-script text is told apart by its commonest function words
 * (en, de, fr, es, it, pt, nl, sv, pl, tr). Returns `und` when the evidence is too thin.
 */

export interface LanguageGuess {
  /** ISO 639-1 code, or `und`. */
  lang: string;
  /** Share of the evidence for the winner, 0-1. */
  confidence: number;
}

/** Writing systems that name a language (or the commonest one): code-point ranges. */
const SCRIPTS: [number, number, string][] = [
  [0x3040, 0x30ff, 'ja'],
  [0xac00, 0xd7af, 'ko'],
  [0x1100, 0x11ff, 'ko'],
  [0x4e00, 0x9fff, 'zh'],
  [0x0400, 0x04ff, 'ru'],
  [0x0370, 0x03ff, 'el'],
  [0x0590, 0x05ff, 'he'],
  [0x0600, 0x06ff, 'ar'],
  [0x0900, 0x097f, 'hi'],
  [0x0e00, 0x0e7f, 'th'],
];

const WORDS: Record<string, string[]> = {
  en: ['the', 'and', 'is', 'are', 'of', 'to', 'in', 'that', 'it', 'for', 'you', 'with', 'this', 'how', 'what', 'was', 'on', 'be', 'can', 'i', 'my', 'do', 'not', 'have'],
  de: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'sie', 'es', 'ein', 'eine', 'zu', 'mit', 'den', 'von', 'wie', 'was', 'auf', 'für', 'sind', 'auch', 'dem', 'bitte', 'kann'],
  fr: ['le', 'la', 'les', 'et', 'est', 'un', 'une', 'des', 'du', 'je', 'vous', 'que', 'qui', 'pas', 'pour', 'dans', 'en', 'sur', 'comment', 'avec', 'ce', 'il', 'mon', 'sont'],
  es: ['el', 'la', 'los', 'las', 'y', 'es', 'un', 'una', 'que', 'de', 'en', 'por', 'para', 'con', 'cómo', 'qué', 'no', 'mi', 'se', 'del', 'al', 'está', 'son', 'puedo'],
  it: ['il', 'lo', 'la', 'gli', 'le', 'e', 'è', 'un', 'una', 'che', 'di', 'per', 'non', 'con', 'come', 'sono', 'mi', 'del', 'della', 'questo', 'ho', 'anche', 'si', 'cosa'],
  pt: ['o', 'a', 'os', 'as', 'e', 'é', 'um', 'uma', 'que', 'de', 'não', 'para', 'com', 'como', 'do', 'da', 'em', 'meu', 'você', 'isso', 'são', 'por', 'mais', 'posso'],
  nl: ['de', 'het', 'een', 'en', 'is', 'van', 'ik', 'niet', 'dat', 'je', 'op', 'te', 'zijn', 'met', 'voor', 'hoe', 'wat', 'mijn', 'er', 'ook', 'naar', 'kan', 'dit', 'wordt'],
  sv: ['och', 'är', 'det', 'att', 'en', 'ett', 'jag', 'inte', 'som', 'på', 'för', 'med', 'hur', 'vad', 'till', 'av', 'min', 'den', 'har', 'kan', 'om', 'du', 'vi', 'så'],
  pl: ['i', 'w', 'nie', 'jest', 'się', 'na', 'to', 'że', 'z', 'do', 'jak', 'co', 'czy', 'mój', 'ten', 'jestem', 'dla', 'być', 'przez', 'ale', 'są', 'może', 'tak', 'już'],
  tr: ['ve', 'bir', 'bu', 'da', 'de', 'için', 'ne', 'nasıl', 'ile', 'mi', 'ben', 'çok', 'var', 'değil', 'olarak', 'gibi', 'daha', 'sen', 'o', 'ama', 'mı', 'benim', 'kadar', 'en'],
};

const WORD_LANGS = new Map<string, string[]>();
for (const [lang, words] of Object.entries(WORDS)) for (const w of words) WORD_LANGS.set(w, [...(WORD_LANGS.get(w) ?? []), lang]);

export function identifyLanguage(text: string, minChars = 24): LanguageGuess {
  const sample = text.length > 1200 ? text.slice(0, 1200) : text;
  if (sample.trim().length < minChars) return { lang: 'und', confidence: 0 };
  // One pass over the code points: letters, and letters per writing system.
  let letters = 0;
  const perScript = new Map<string, number>();
  for (const ch of sample) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) letters++;
      continue;
    }
    const s = SCRIPTS.find(([lo, hi]) => c >= lo && c <= hi);
    if (s) {
      letters++;
      perScript.set(s[2], (perScript.get(s[2]) ?? 0) + 1);
    } else if (/\p{L}/u.test(ch)) letters++;
  }
  if (letters === 0) return { lang: 'und', confidence: 0 };
  // Japanese mixes kana with Han: a kana share of a tenth makes it Japanese.
  if ((perScript.get('ja') ?? 0) / letters > 0.1) return { lang: 'ja', confidence: Math.min(1, ((perScript.get('ja') ?? 0) + (perScript.get('zh') ?? 0)) / letters) };
  for (const [lang, n] of perScript) if (n / letters > 0.3) return { lang, confidence: Math.min(1, n / letters) };
  const score = new Map<string, number>();
  let total = 0;
  for (const w of sample.toLowerCase().match(/\p{L}+/gu) ?? []) {
    const langs = WORD_LANGS.get(w);
    if (!langs) continue;
    total++;
    for (const l of langs) score.set(l, (score.get(l) ?? 0) + 1 / langs.length);
  }
  if (total < 2) return { lang: 'und', confidence: 0 };
  const ranked = [...score.entries()].sort((a, b) => b[1] - a[1]);
  const [lang, best] = ranked[0]!;
  const second = ranked[1]?.[1] ?? 0;
  const confidence = best / (best + second);
  return confidence < 0.6 ? { lang: 'und', confidence } : { lang, confidence };
}
