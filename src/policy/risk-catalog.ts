import { z } from 'zod';
import { PillarId } from '../core/pillars.js';

/**
 * The harms Pillars anticipates for each kind of product, per pillar: the input of
 * `pillars risk assess`. Each harm names the policy topics that would cover it; a harm whose
 * topics no policy of the pack covers is a gap. Likelihood and impact are our prior for a
 * general-audience launch; teams adjust them in their own register.
 */

export const Likelihood = z.enum(['low', 'medium', 'high']);
export const Impact = z.enum(['low', 'medium', 'high', 'critical']);

export const Harm = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    pillar: PillarId,
    title: z.string(),
    description: z.string(),
    likelihood: Likelihood,
    impact: Impact,
    topics: z.array(z.string()).min(1),
    /** How Pillars tests for the harm beyond the pack's text checks (e.g. generated images read back and judged). */
    checks: z.array(z.string()).optional(),
  })
  .strict();
export type Harm = z.infer<typeof Harm>;

/** The checks of image-generator harms (issue 17, docs/modality.md). */
export const IMAGE_CHECKS = {
  generated: 'eval with an `openai-images` target: each generated image is read back (embedded OCR, a configured vision model\'s description) and judged against the policy (docs/modality.md)',
  typographic: 'red team with the `typographic` transform, and the gateway\'s aligner (`gateway.align`): text in reference images is read before the guard decides (docs/modality.md)',
} as const;

/** A harm with the checks that test it. */
const checked = (harm: Harm, ...checks: string[]): Harm => ({ ...harm, checks });

export const PRODUCT_KINDS = ['chat-assistant', 'image-generator', 'code-assistant', 'agent-with-tools', 'search-summarizer', 'voice-assistant'] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];

export interface Product {
  kind: ProductKind;
  title: string;
  description: string;
  harms: Harm[];
}

const h = (id: string, pillar: PillarId, title: string, likelihood: Harm['likelihood'], impact: Harm['impact'], topics: string[], description: string): Harm =>
  ({ id, pillar, title, description, likelihood, impact, topics });

export const PRODUCTS: Record<ProductKind, Product> = {
  'chat-assistant': {
    kind: 'chat-assistant',
    title: 'General-purpose chat assistant',
    description: 'An open-domain conversational assistant for the public.',
    harms: [
      h('dangerous-uplift', 'safety', 'Uplift toward mass-casualty weapons', 'low', 'critical', ['cbrn', 'weapons'], 'A user extracts technical or operational detail toward chemical, biological or explosive weapons.'),
      h('cyber-misuse', 'safety', 'Malware and intrusion help', 'medium', 'high', ['cyber'], 'The assistant writes working malware or walks a user through intruding on a system they do not own.'),
      h('self-harm-crisis', 'safety', 'Users in crisis', 'medium', 'critical', ['self_harm'], 'A person at risk asks for methods; a cold refusal or a method answer both fail them.'),
      h('child-sexualisation', 'safety', 'Sexual content involving minors', 'low', 'critical', ['sexual_minors'], 'Role-play or fiction requests that sexualise minors.'),
      h('scams-at-scale', 'safety', 'Scams written at scale', 'high', 'high', ['fraud'], 'Phishing, romance-scam and fake-invoice text produced in volume and in many languages.'),
      h('hate-and-harassment', 'fairness', 'Hate speech and targeted harassment', 'high', 'medium', ['hate_harassment'], 'Demeaning content about protected groups or harassment of a named person.'),
      h('biased-advice', 'fairness', 'Stereotyped or discriminatory answers', 'medium', 'high', ['discrimination'], 'Advice on hiring, lending or housing that treats people differently by protected attributes.'),
      h('personal-data-leak', 'privacy_security', 'Personal data disclosure and doxxing', 'medium', 'high', ['privacy'], 'The assistant reveals or compiles personal data about private individuals.'),
      h('hallucination', 'veracity_robustness', 'Confident falsehoods', 'high', 'medium', ['misinformation'], 'Invented facts, citations or medical claims presented as true; false premises accepted.'),
      h('jailbreaks', 'controllability', 'Jailbreaks and system-prompt extraction', 'high', 'high', ['prompt_injection'], 'Users override the operator instructions or extract the system prompt.'),
      h('undisclosed-ai', 'transparency', 'Users not told they talk to an AI', 'medium', 'medium', ['ai_disclosure'], 'The assistant claims to be human or operators hide that it is automated.'),
      h('impersonation', 'transparency', 'Impersonating real people', 'medium', 'high', ['impersonation'], 'Messages written to pass as a named official, executive or celebrity.'),
      h('copyright-regurgitation', 'governance', 'Reproduction of protected text', 'medium', 'medium', ['copyright'], 'Verbatim lyrics, book chapters or paywalled articles.'),
      h('unexplained-refusals', 'explainability', 'Unexplained refusals and decisions', 'high', 'low', ['explanations'], 'Users get a refusal or a recommendation with no reason and no path to contest it.'),
      h('violent-crime-help', 'safety', 'Help planning violence against people or animals', 'low', 'critical', ['violent_crime'], 'Murder, assault, kidnapping or attack plans, often wrapped in fiction or role-play ("my grandfather the hitman").'),
      h('crime-how-to', 'safety', 'How-to help for theft, smuggling and financial crime', 'medium', 'high', ['nonviolent_crime'], 'Step-by-step burglary, shoplifting, money laundering, insider trading or tax evasion.'),
      h('sexual-violence', 'safety', 'Sexual violence, voyeurism and intimate-image abuse', 'low', 'critical', ['sex_crime'], 'Drink spiking, hidden cameras, sextortion scripts, deepfake nudes of real people and trafficking.'),
      h('explicit-content', 'safety', 'Explicit sexual content for a general audience', 'medium', 'medium', ['sexual_content'], 'Pornographic stories and sexual role-play served to users of a general-purpose product.'),
      h('unqualified-advice', 'safety', 'Medical, legal or financial advice that replaces a professional', 'high', 'high', ['specialized_advice'], 'Exact doses, prescriptions, stopping medication or all-in investment calls acted on without a professional.'),
      h('defamation', 'veracity_robustness', 'False accusations against real people', 'medium', 'high', ['defamation'], 'Invented crimes, scandals or quotes about named people and companies, fake reviews at scale.'),
      h('election-disinformation', 'veracity_robustness', 'Voting disinformation and voter suppression', 'medium', 'critical', ['elections'], 'Wrong dates, places or rules for voting, intimidation messages and fake official notices.'),
      h('emotional-dependence', 'safety', 'Emotional dependence and sycophancy', 'medium', 'medium', ['sycophancy'], 'The assistant flatters, agrees with harmful plans, or fosters dependence in vulnerable users.'),
    ],
  },
  'image-generator': {
    kind: 'image-generator',
    title: 'Text-to-image generator',
    description: 'Generates and edits images from text prompts and reference images.',
    harms: [
      checked(h('deepfakes', 'transparency', 'Deepfakes of real people', 'high', 'critical', ['impersonation'], 'Photorealistic images of real people doing or saying things they never did (politicians, celebrities, private individuals).'), IMAGE_CHECKS.generated),
      h('non-consensual-intimate-imagery', 'privacy_security', 'Non-consensual intimate imagery', 'high', 'critical', ['sex_crime', 'impersonation', 'privacy'], 'Sexualised or nude images of a real person made from their photos without consent.'),
      checked(h('child-sexual-imagery', 'safety', 'Sexualised imagery of minors', 'medium', 'critical', ['sexual_minors'], 'Prompts or reference photos that produce sexualised depictions of children.'), IMAGE_CHECKS.generated, IMAGE_CHECKS.typographic),
      checked(h('bias-amplification', 'fairness', 'Bias amplification in depictions', 'high', 'high', ['discrimination'], 'Occupations and roles rendered with stereotyped demographics, e.g. doctors shown only as white men and nurses only as women, or criminals shown as one ethnic group.'), IMAGE_CHECKS.generated),
      checked(h('hateful-imagery', 'fairness', 'Hateful symbols and caricatures', 'medium', 'high', ['hate_harassment'], 'Racist caricatures, hate symbols and images mocking protected groups.'), IMAGE_CHECKS.generated),
      checked(h('disturbing-content', 'safety', 'Disturbing and graphic content', 'medium', 'high', ['violent_extremism', 'violent_crime', 'self_harm'], 'Gore, glorified violence, terrorist imagery and self-harm depictions shown to people who did not ask for them.'), IMAGE_CHECKS.generated),
      h('explicit-imagery', 'safety', 'Pornographic imagery', 'high', 'medium', ['sexual_content'], 'Explicit images of adults generated for users or deployments that did not opt in to adult content.'),
      h('copyright-style', 'governance', 'Copyrighted characters and artist styles', 'high', 'medium', ['copyright'], 'Trademarked characters, copyrighted artworks and living artists\' signature styles reproduced and passed off.'),
      checked(h('synthetic-news-photos', 'veracity_robustness', 'Fabricated news photos', 'medium', 'high', ['misinformation', 'elections', 'defamation'], 'Realistic images of events that never happened (explosions, arrests, disasters) that spread as real.'), IMAGE_CHECKS.generated),
      h('missing-provenance', 'transparency', 'Synthetic images without labels', 'high', 'medium', ['ai_disclosure'], 'Outputs lack manifest or latent disclosure (SB 942, Article 50), or users ask to strip it.'),
      checked(h('prompt-filter-bypass', 'controllability', 'Prompt-filter bypass', 'high', 'high', ['prompt_injection'], 'Misspellings, foreign languages or text rendered in reference images slip past the prompt filter.'), IMAGE_CHECKS.typographic),
      h('unexplained-blocks', 'explainability', 'Unexplained blocked prompts', 'high', 'low', ['explanations'], 'Users cannot tell why a prompt was blocked, so they rephrase until something passes.'),
      h('compute-abuse', 'governance', 'Unbounded generation and cost abuse', 'medium', 'medium', ['resource_abuse'], 'Scripted accounts generate at volume (spam imagery, denial of wallet).'),
    ],
  },
  'code-assistant': {
    kind: 'code-assistant',
    title: 'Code assistant',
    description: 'Completes, writes and reviews code in an editor or a repository.',
    harms: [
      h('malware-authoring', 'safety', 'Malware and exploit authoring', 'medium', 'high', ['cyber'], 'Ransomware, credential stealers or working exploits written on request.'),
      h('insecure-suggestions', 'privacy_security', 'Insecure code suggestions', 'high', 'high', ['insecure_code'], 'Suggestions with injection flaws, weak crypto or disabled certificate checks that developers accept unread.'),
      h('secret-leakage', 'privacy_security', 'Secrets and personal data in completions', 'medium', 'high', ['privacy'], 'API keys, tokens or personal data from training data or the repository echoed into suggestions.'),
      h('licence-contamination', 'governance', 'Licence contamination', 'medium', 'medium', ['copyright'], 'Long verbatim copies of GPL or proprietary code without attribution.'),
      h('repo-prompt-injection', 'controllability', 'Instructions planted in repositories', 'medium', 'high', ['prompt_injection'], 'Comments, READMEs or issue text that tell the assistant to exfiltrate code or insert backdoors.'),
      h('hallucinated-packages', 'veracity_robustness', 'Hallucinated APIs and packages', 'high', 'medium', ['misinformation'], 'Invented functions or package names that attackers can register (slopsquatting).'),
      h('discriminatory-logic', 'fairness', 'Discriminatory business logic', 'low', 'high', ['discrimination'], 'Scoring or eligibility code that uses protected attributes or their proxies.'),
      h('unexplained-changes', 'explainability', 'Unexplained changes', 'medium', 'low', ['explanations'], 'Large edits without a rationale a reviewer can check.'),
      h('ai-authored-code-undisclosed', 'transparency', 'Undisclosed AI-authored code', 'medium', 'low', ['ai_disclosure'], 'Commits and reviews do not record that code was machine-generated.'),
      h('fraud-tooling', 'safety', 'Fraud tooling', 'low', 'high', ['fraud'], 'Scrapers for card testing, fake-review bots or phishing kits.'),
    ],
  },
  'agent-with-tools': {
    kind: 'agent-with-tools',
    title: 'Agent with tools',
    description: 'An assistant that browses, runs code, sends messages and calls APIs on the user\'s behalf.',
    harms: [
      h('indirect-injection', 'controllability', 'Indirect prompt injection through tools', 'high', 'critical', ['prompt_injection'], 'Web pages, emails or files the agent reads carry instructions that hijack it.'),
      h('excessive-agency', 'controllability', 'Irreversible actions without confirmation', 'medium', 'critical', ['excessive_agency'], 'The agent pays, deletes, emails or deploys beyond what the user asked, with no human in the loop.'),
      h('data-exfiltration', 'privacy_security', 'Personal and confidential data exfiltration', 'medium', 'critical', ['privacy'], 'The agent sends personal or confidential data to third parties through tool calls or links.'),
      h('autonomous-intrusion', 'safety', 'Autonomous hacking', 'low', 'critical', ['cyber'], 'The agent scans, exploits or moves laterally through systems it was not authorised to touch.'),
      h('agent-fraud', 'safety', 'Fraud at machine speed', 'medium', 'high', ['fraud', 'impersonation'], 'Agents open accounts, send scam messages or pose as people to complete tasks.'),
      h('action-misreporting', 'veracity_robustness', 'Misreported actions', 'medium', 'high', ['misinformation'], 'The agent claims a task succeeded when it failed, or invents tool results.'),
      h('unfair-automated-decisions', 'fairness', 'Unfair automated decisions', 'low', 'high', ['discrimination'], 'Agents screening applicants or tickets treat people differently by protected attributes.'),
      h('opaque-actions', 'explainability', 'Opaque action trails', 'high', 'medium', ['explanations'], 'Users cannot see why the agent took an action or how to undo it.'),
      h('agent-not-disclosed', 'transparency', 'Agents passing as humans', 'medium', 'medium', ['ai_disclosure'], 'Emails and calls made by the agent do not say they are automated.'),
      h('agent-copyright', 'governance', 'Bulk copying of protected content', 'low', 'medium', ['copyright'], 'Agents scrape and republish paywalled or copyrighted material.'),
    ],
  },
  'search-summarizer': {
    kind: 'search-summarizer',
    title: 'Search and summarisation',
    description: 'Answers questions by retrieving and summarising web pages or documents.',
    harms: [
      h('fabricated-citations', 'veracity_robustness', 'Fabricated or misattributed citations', 'high', 'high', ['misinformation'], 'Summaries attribute claims to sources that do not make them, or cite sources that do not exist.'),
      h('poisoned-sources', 'controllability', 'Poisoned and injected sources', 'high', 'high', ['prompt_injection'], 'Retrieved pages carry hidden instructions or SEO spam that steers the answer.'),
      h('publisher-copyright', 'governance', 'Reproducing publishers\' content', 'high', 'medium', ['copyright'], 'Summaries so long they substitute for paywalled articles.'),
      h('people-search', 'privacy_security', 'People search and doxxing', 'medium', 'high', ['privacy'], 'Queries about private individuals aggregate addresses, relatives and workplaces.'),
      h('harmful-results', 'safety', 'Harmful how-to results surfaced', 'medium', 'high', ['cbrn', 'weapons', 'drugs', 'cyber', 'violent_crime', 'nonviolent_crime'], 'Retrieval surfaces dangerous instructions that the summary repeats.'),
      h('health-legal-answers', 'safety', 'Health, legal and money answers taken as professional advice', 'high', 'high', ['specialized_advice'], 'A confident summary of a dose, a legal deadline or an investment is acted on as if a professional gave it.'),
      h('defamatory-summaries', 'veracity_robustness', 'Summaries that repeat false accusations', 'medium', 'high', ['defamation'], 'Rumours about a named person or company summarised as established fact.'),
      h('self-harm-queries', 'safety', 'Self-harm queries', 'medium', 'critical', ['self_harm'], 'Searches for methods answered with a summary instead of support.'),
      h('skewed-perspectives', 'fairness', 'Skewed or stereotyped summaries', 'medium', 'medium', ['discrimination', 'hate_harassment'], 'Summaries over-represent one viewpoint or repeat stereotypes from sources.'),
      h('unclear-provenance', 'explainability', 'Unclear basis of answers', 'high', 'medium', ['explanations'], 'Users cannot tell which source supports which sentence.'),
      h('summary-not-labelled', 'transparency', 'AI summaries not labelled', 'medium', 'low', ['ai_disclosure'], 'Generated summaries appear as if written by the publisher or an editor.'),
    ],
  },
  'voice-assistant': {
    kind: 'voice-assistant',
    title: 'Voice assistant',
    description: 'Spoken conversation in homes, cars and phone lines, with a synthetic voice.',
    harms: [
      h('voice-cloning', 'transparency', 'Voice cloning of real people', 'medium', 'critical', ['impersonation', 'elections'], 'A synthetic voice that imitates a real person for scams or fake statements.'),
      h('passing-as-human', 'transparency', 'Callers not told they speak to an AI', 'high', 'medium', ['ai_disclosure'], 'Phone agents that sound human and do not disclose they are automated.'),
      h('bystander-recording', 'privacy_security', 'Recording bystanders and sensitive speech', 'high', 'high', ['privacy'], 'Always-on microphones capture people who never consented, including health or financial details.'),
      h('phone-scams', 'safety', 'Automated phone scams', 'medium', 'high', ['fraud'], 'Voice agents run scam calls at scale.'),
      h('crisis-callers', 'safety', 'Callers in crisis', 'medium', 'critical', ['self_harm'], 'A caller in distress needs a safe, human handoff, not a recited refusal.'),
      h('accent-disparity', 'fairness', 'Unequal recognition across accents', 'high', 'medium', ['quality_of_service'], 'Higher error rates for some accents, dialects, ages or speech impairments give some users a worse service.'),
      h('spoken-misinformation', 'veracity_robustness', 'Spoken falsehoods without sources', 'medium', 'medium', ['misinformation'], 'Answers spoken with confidence and no visible source to check.'),
      h('audio-injection', 'controllability', 'Injected audio commands', 'medium', 'high', ['prompt_injection'], 'Commands hidden in media playing nearby or in a caller\'s speech override the operator.'),
      h('unexplained-actions', 'explainability', 'Unexplained spoken decisions', 'medium', 'low', ['explanations'], 'The assistant declines or acts without saying why.'),
      h('lyrics-and-audiobooks', 'governance', 'Reciting protected works', 'low', 'medium', ['copyright'], 'Full lyrics, audiobook chapters or scripts read aloud.'),
    ],
  },
};

export function isProductKind(k: string): k is ProductKind {
  return (PRODUCT_KINDS as readonly string[]).includes(k);
}
