import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { LEVEL_NAMES, type Action, type Level } from '../core/pillars.js';
import type { Ctx, Target } from '../core/types.js';
import { actionAt, type Policy, type PolicyPack } from '../policy/schema.js';

/**
 * Learning exercises from policies (and policy documents): explain the concept, answer a
 * compliance question, judge whether an action violates the policy; each with its answer. Offline
 * templates exist for English, Spanish and French (the frame is translated; quoted policy text
 * stays in the pack's language). With an LLM target, the target writes them from the policy text
 * (JSON), falling back to the templates for any policy whose reply does not parse.
 */

export const EXERCISE_LANGS = ['en', 'es', 'fr'] as const;
export type ExerciseLang = (typeof EXERCISE_LANGS)[number];
export type ExerciseKind = 'explain' | 'compliance' | 'violation';

export interface Exercise {
  id: string;
  kind: ExerciseKind;
  lang: string;
  policy: string | null;
  source: string;
  question: string;
  answer: string;
  /** Question and answer as one training text. */
  text: string;
}

export interface DocSection {
  doc: string;
  heading: string;
  body: string;
}

interface Frames {
  q: string;
  a: string;
  explainQ: (title: string) => string;
  explainA: (p: Policy) => string;
  complianceQ: (title: string, req: string) => string;
  complianceA: (level: Level, action: Action, p: Policy) => string;
  violationQ: (title: string, req: string, behaviour: string) => string;
  violationA: (violates: boolean, level: Level, action: Action, p: Policy) => string;
  gave: string;
  declined: string;
  docQ: (doc: string, heading: string) => string;
  actions: Record<Action, string>;
  levels: Record<Level, string>;
}

const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

const FRAMES: Record<ExerciseLang, Frames> = {
  en: {
    q: 'Question',
    a: 'Answer',
    explainQ: (t) => `Explain the "${t}" policy: what does it cover, and why does it exist?`,
    explainA: (p) => `${flat(p.description ?? p.title)} It disallows: ${flat(p.boundary.disallowed)} It allows: ${flat(p.boundary.allowed)}`,
    complianceQ: (t, r) => `Under the "${t}" policy, how should an assistant respond to this request: "${r}"?`,
    complianceA: (l, a, p) => `The request is at level ${l} (${LEVEL_NAMES[l]}), where the policy says: ${a}. ${a === 'allow' ? 'So the assistant should answer it helpfully.' : a === 'deflect' ? `So it should decline the specific detail and offer the safe alternative${p.deflection ? `: ${flat(p.deflection)}` : '.'}` : a === 'refuse' ? 'So it should decline clearly and give none of the requested content.' : 'So it should help while removing personal data.'}`,
    violationQ: (t, r, b) => `An assistant was asked "${r}" and ${b}. Does this violate the "${t}" policy?`,
    violationA: (v, l, a) => (v ? `Yes. The request is at level ${l} (${LEVEL_NAMES[l]}), where the policy says ${a}; giving the content anyway is a violation, whatever disclaimers surround it.` : `No. At level ${l} (${LEVEL_NAMES[l]}) the policy says ${a}, and this response stays within it.`),
    gave: 'gave the full, specific answer that was asked for',
    declined: 'declined the disallowed part and offered a safe alternative',
    docQ: (d, h) => `According to the policy document "${d}", what does the section "${h}" say?`,
    actions: { allow: 'allow', deflect: 'deflect', refuse: 'refuse', redact: 'redact' },
    levels: LEVEL_NAMES,
  },
  es: {
    q: 'Pregunta',
    a: 'Respuesta',
    explainQ: (t) => `Explica la política «${t}»: ¿qué abarca y por qué existe?`,
    explainA: (p) => `${flat(p.description ?? p.title)} Prohíbe: ${flat(p.boundary.disallowed)} Permite: ${flat(p.boundary.allowed)}`,
    complianceQ: (t, r) => `Según la política «${t}», ¿cómo debe responder un asistente a esta petición: «${r}»?`,
    complianceA: (l, a, p) => `La petición está en el nivel ${l}, donde la política indica: ${FRAMES.es.actions[a]}. ${a === 'allow' ? 'Por tanto, el asistente debe responder con ayuda útil.' : a === 'deflect' ? `Por tanto, debe rechazar el detalle concreto y ofrecer la alternativa segura${p.deflection ? `: ${flat(p.deflection)}` : '.'}` : a === 'refuse' ? 'Por tanto, debe negarse con claridad y no dar nada del contenido pedido.' : 'Por tanto, debe ayudar eliminando los datos personales.'}`,
    violationQ: (t, r, b) => `A un asistente le pidieron «${r}» y ${b}. ¿Infringe esto la política «${t}»?`,
    violationA: (v, l, a) => (v ? `Sí. La petición está en el nivel ${l}, donde la política indica ${FRAMES.es.actions[a]}; dar el contenido igualmente es una infracción, aunque vaya acompañado de advertencias.` : `No. En el nivel ${l} la política indica ${FRAMES.es.actions[a]}, y esta respuesta la respeta.`),
    gave: 'dio la respuesta completa y concreta que se pedía',
    declined: 'rechazó la parte no permitida y ofreció una alternativa segura',
    docQ: (d, h) => `Según el documento de políticas «${d}», ¿qué dice la sección «${h}»?`,
    actions: { allow: 'permitir', deflect: 'desviar hacia una alternativa segura', refuse: 'rechazar', redact: 'ocultar datos personales' },
    levels: { 0: 'concienciación', 1: 'educativo', 2: 'detalle técnico', 3: 'operativo' },
  },
  fr: {
    q: 'Question',
    a: 'Réponse',
    explainQ: (t) => `Explique la politique « ${t} » : que couvre-t-elle et pourquoi existe-t-elle ?`,
    explainA: (p) => `${flat(p.description ?? p.title)} Elle interdit : ${flat(p.boundary.disallowed)} Elle autorise : ${flat(p.boundary.allowed)}`,
    complianceQ: (t, r) => `Selon la politique « ${t} », comment un assistant doit-il répondre à cette demande : « ${r} » ?`,
    complianceA: (l, a, p) => `La demande est de niveau ${l}, où la politique indique : ${FRAMES.fr.actions[a]}. ${a === 'allow' ? "L'assistant doit donc y répondre utilement." : a === 'deflect' ? `Il doit donc refuser le détail précis et proposer l'alternative sûre${p.deflection ? ` : ${flat(p.deflection)}` : '.'}` : a === 'refuse' ? 'Il doit donc refuser clairement et ne rien donner du contenu demandé.' : 'Il doit donc aider en retirant les données personnelles.'}`,
    violationQ: (t, r, b) => `On a demandé à un assistant « ${r} » et il ${b}. Cela enfreint-il la politique « ${t} » ?`,
    violationA: (v, l, a) => (v ? `Oui. La demande est de niveau ${l}, où la politique indique ${FRAMES.fr.actions[a]} ; donner le contenu malgré tout est une infraction, quels que soient les avertissements.` : `Non. Au niveau ${l}, la politique indique ${FRAMES.fr.actions[a]}, et cette réponse la respecte.`),
    gave: 'a donné la réponse complète et précise demandée',
    declined: 'a refusé la partie interdite et proposé une alternative sûre',
    docQ: (d, h) => `D'après le document de politique « ${d} », que dit la section « ${h} » ?`,
    actions: { allow: 'autoriser', deflect: 'réorienter vers une alternative sûre', refuse: 'refuser', redact: 'masquer les données personnelles' },
    levels: { 0: 'sensibilisation', 1: 'éducatif', 2: 'détail technique', 3: 'opérationnel' },
  },
};

function row(kind: ExerciseKind, lang: ExerciseLang, policy: string | null, source: string, n: number, question: string, answer: string): Exercise {
  const f = FRAMES[lang];
  return { id: `${source}:${kind}:${lang}:${n}`, kind, lang, policy, source, question, answer, text: `${f.q}: ${question}\n${f.a}: ${answer}` };
}

/** Requests per level for a policy: its own examples, then the pack's bulk examples for it. */
function requestsFor(pack: PolicyPack, p: Policy): { text: string; level: Level }[] {
  const own = p.examples.filter((e) => e.lang === 'en' || !e.lang).map((e) => ({ text: e.text, level: e.level as Level }));
  const bulk = pack.examples.filter((e) => e.policy === p.id && e.split !== 'test' && !e.tags?.includes('variant')).map((e) => ({ text: e.text, level: e.level as Level }));
  const byLevel = new Map<Level, { text: string; level: Level }>();
  for (const r of [...own, ...bulk]) if (!byLevel.has(r.level)) byLevel.set(r.level, r);
  return [...byLevel.values()].sort((a, b) => a.level - b.level);
}

export function policyExercises(pack: PolicyPack, p: Policy, lang: ExerciseLang): Exercise[] {
  const f = FRAMES[lang];
  const out: Exercise[] = [row('explain', lang, p.id, p.id, 0, f.explainQ(p.title), f.explainA(p))];
  requestsFor(pack, p).forEach((r, i) => {
    const action = actionAt(p, r.level);
    out.push(row('compliance', lang, p.id, p.id, i, f.complianceQ(p.title, r.text), f.complianceA(r.level, action, p)));
    const gaveViolates = action === 'refuse' || action === 'deflect';
    out.push(row('violation', lang, p.id, p.id, i * 2, f.violationQ(p.title, r.text, f.gave), f.violationA(gaveViolates, r.level, action, p)));
    if (action !== 'allow') out.push(row('violation', lang, p.id, p.id, i * 2 + 1, f.violationQ(p.title, r.text, f.declined), f.violationA(false, r.level, action, p)));
  });
  return out;
}

const RULE = /\b(must|must not|should|never|may not|prohibited|required|shall|always|do not)\b/i;

export function docExercises(s: DocSection, n: number, lang: ExerciseLang): Exercise[] {
  const f = FRAMES[lang];
  const source = `doc:${s.doc}#${s.heading}`;
  const out = [row('explain', lang, null, source, n, f.docQ(s.doc, s.heading), flat(s.body))];
  const rules = flat(s.body).split(/(?<=[.!?])\s+/).filter((x) => RULE.test(x));
  rules.slice(0, 2).forEach((rule, i) => {
    const q = lang === 'en' ? `Under "${s.doc}" (${s.heading}), is it compliant to act against this rule: "${rule}"?` : lang === 'es' ? `Según «${s.doc}» (${s.heading}), ¿es conforme actuar en contra de esta regla: «${rule}»?` : `Selon « ${s.doc} » (${s.heading}), est-il conforme d'agir contre cette règle : « ${rule} » ?`;
    const a = lang === 'en' ? `No. The document states: "${rule}" Acting against it would violate the policy.` : lang === 'es' ? `No. El documento establece: «${rule}» Actuar en contra infringiría la política.` : `Non. Le document indique : « ${rule} » Agir contre cette règle enfreindrait la politique.`;
    out.push(row('compliance', lang, null, source, n * 10 + i, q, a));
  });
  return out;
}

/** Split a Markdown or text policy document into sections by headings (or paragraphs when it has none). */
export function splitDoc(name: string, text: string): DocSection[] {
  const lines = text.split(/\r?\n/);
  const sections: DocSection[] = [];
  let heading = name;
  let body: string[] = [];
  const flush = (): void => {
    const b = body.join('\n').trim();
    if (b.length >= 40) sections.push({ doc: name, heading, body: b });
    body = [];
  };
  for (const l of lines) {
    const m = /^#{1,6}\s+(.+?)\s*#*$/.exec(l);
    if (m) {
      flush();
      heading = m[1]!;
    } else body.push(l);
  }
  flush();
  return sections;
}

export function readPolicyDocs(file: string): DocSection[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: policy document not found`, { code: 'not_found' });
  }
  if (text.startsWith('%PDF')) throw new UserError(`${file}: a PDF; extract its text first (e.g. pdftotext ${basename(file)} out.txt) and pass the text file`, { code: 'usage' });
  return splitDoc(basename(file), text);
}

export function buildExercises(input: { pack: PolicyPack; docs?: DocSection[]; langs: ExerciseLang[] }): Exercise[] {
  const out: Exercise[] = [];
  for (const lang of input.langs) {
    for (const p of input.pack.policies) out.push(...policyExercises(input.pack, p, lang));
    (input.docs ?? []).forEach((s, i) => out.push(...docExercises(s, i, lang)));
  }
  return out;
}

const LlmExercises = z.array(z.object({ kind: z.enum(['explain', 'compliance', 'violation']), question: z.string().min(5), answer: z.string().min(2) })).min(1);

const LANG_NAMES: Record<ExerciseLang, string> = { en: 'English', es: 'Spanish', fr: 'French' };

/** Exercises written by an LLM target from each policy's (or section's) text; template fallback per unit. */
export async function llmExercises(input: { target: Target; pack: PolicyPack; docs?: DocSection[]; langs: ExerciseLang[] }, ctx: Ctx): Promise<{ rows: Exercise[]; fallbacks: number }> {
  const rows: Exercise[] = [];
  let fallbacks = 0;
  const units: { source: string; policy: string | null; text: string; fallback: (lang: ExerciseLang) => Exercise[] }[] = [
    ...input.pack.policies.map((p) => ({
      source: p.id,
      policy: p.id,
      text: `Policy ${p.id}: ${p.title}\n${flat(p.description ?? '')}\nDisallowed: ${flat(p.boundary.disallowed)}\nAllowed: ${flat(p.boundary.allowed)}\nLadder: ${([0, 1, 2, 3] as Level[]).map((l) => `level ${l} (${LEVEL_NAMES[l]}) ${actionAt(p, l)}`).join('; ')}`,
      fallback: (lang: ExerciseLang) => policyExercises(input.pack, p, lang),
    })),
    ...(input.docs ?? []).map((s, i) => ({ source: `doc:${s.doc}#${s.heading}`, policy: null, text: `${s.heading}\n${s.body}`, fallback: (lang: ExerciseLang) => docExercises(s, i, lang) })),
  ];
  for (const lang of input.langs) {
    for (const u of units) {
      const gen = await input.target.generate(
        {
          messages: [
            { role: 'system', content: 'You write training exercises that teach responsible-AI policy. Never include operational harmful detail in any question or answer.' },
            {
              role: 'user',
              content: `${u.text}\n\nWrite exercises in ${LANG_NAMES[lang]}: one "explain" (explain the concept), two "compliance" (a question about whether and how an assistant may help with a request, answered from the ladder), two "violation" (describe an assistant's action; answer whether it violates the policy and why). Reply with only a JSON array of {"kind", "question", "answer"}.`,
            },
          ],
          options: { temperature: 0.3, maxTokens: 1500 },
        },
        ctx,
      );
      const t = gen.text.replace(/```(?:json)?/gi, '');
      let parsed: z.infer<typeof LlmExercises> | null = null;
      try {
        const r = LlmExercises.safeParse(JSON.parse(t.slice(t.indexOf('['), t.lastIndexOf(']') + 1)));
        if (r.success) parsed = r.data;
      } catch {
        parsed = null;
      }
      if (!parsed) {
        fallbacks++;
        rows.push(...u.fallback(lang));
        continue;
      }
      parsed.forEach((e, i) => rows.push(row(e.kind, lang, u.policy, u.source, i, e.question, e.answer)));
    }
  }
  return { rows, fallbacks };
}
