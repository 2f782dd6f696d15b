/**
 * Titles of the regulation and framework references a pack may cite, for packs that carry no
 * `regulations:` catalog of their own (the pack's catalog wins). Keys are `framework:clause`.
 */
export const FRAMEWORKS: Record<string, string> = {
  'eu-ai-act': 'EU AI Act (Regulation (EU) 2024/1689)',
  'ca-sb-942': 'California AI Transparency Act (SB 942)',
  'nist-ai-rmf': 'NIST AI Risk Management Framework 1.0',
  'iso-42001': 'ISO/IEC 42001:2023 AI management system',
  'owasp-llm': 'OWASP Top 10 for LLM Applications 2025',
};

const EU: Record<string, string> = {
  'art-5': 'Prohibited AI practices',
  'art-9': 'Risk management system',
  'art-10': 'Data and data governance',
  'art-13': 'Transparency and provision of information to deployers',
  'art-14': 'Human oversight',
  'art-15': 'Accuracy, robustness and cybersecurity',
  'art-50': 'Transparency obligations for providers and deployers of certain AI systems',
  'art-53': 'Obligations for providers of general-purpose AI models',
  'art-55': 'Obligations of providers of general-purpose AI models with systemic risk',
  'art-86': 'Right to explanation of individual decision-making',
};

const OWASP: Record<string, string> = {
  llm01: 'Prompt Injection',
  llm02: 'Sensitive Information Disclosure',
  llm03: 'Supply Chain',
  llm04: 'Data and Model Poisoning',
  llm05: 'Improper Output Handling',
  llm06: 'Excessive Agency',
  llm07: 'System Prompt Leakage',
  llm08: 'Vector and Embedding Weaknesses',
  llm09: 'Misinformation',
  llm10: 'Unbounded Consumption',
};

/** A title for a reference: the pack's catalog first, then the built-in names, else null. */
export function regulationTitle(ref: string, catalog: { id: string; title: string }[] = []): string | null {
  const own = catalog.find((r) => r.id === ref);
  if (own) return own.title;
  const [fw, clause] = ref.split(':') as [string, string | undefined];
  const name = FRAMEWORKS[fw];
  if (!name) return null;
  if (!clause) return name;
  if (fw === 'eu-ai-act' && EU[clause]) return `${name}, Article ${clause.slice(4)}: ${EU[clause]}`;
  if (fw === 'owasp-llm' && OWASP[clause.toLowerCase()]) return `${name}, ${clause.toUpperCase()}: ${OWASP[clause.toLowerCase()]}`;
  if (fw === 'nist-ai-rmf') return `${name}, ${clause.replace(/^([a-z]+)-/, (_, f: string) => `${f.toUpperCase()} `)}`;
  if (fw === 'iso-42001') return `${name}, clause ${clause}`;
  return `${name}: ${clause}`;
}
