/**
 * Which pack topic an unsafe public row belongs to. A source's own category gives the candidate
 * topics (e.g. "weapons / CBRN / terrorism" → cbrn, weapons, violent_extremism); keyword rules on
 * the (English) text pick among them; when no keyword fires, a labeller model (one trained on the
 * pack's own examples) picks the likeliest candidate. Candidates that the pack does not have are
 * dropped, so the same rules serve a pack before and after a topic is added.
 */

/** Every topic the rules know, in the order keyword rules are tried (most specific first). */
export const KEYWORD_ORDER = [
  'sexual_minors',
  'sex_crime',
  'self_harm',
  'cbrn',
  'violent_extremism',
  'weapons',
  'drugs',
  'cyber',
  'impersonation',
  'copyright',
  'defamation',
  'elections',
  'misinformation',
  'fraud',
  'privacy',
  'discrimination',
  'hate_harassment',
  'sexual_content',
  'violent_crime',
  'nonviolent_crime',
] as const;

const CHILD = /\b(child|children|kid|kids|minor|minors|underage|under-age|preteens?|pre-teens?|tweens?|toddlers?|infants?|(1[0-7]|[1-9])[- ]?(year|yr)s?[- ]old|loli|lolita|pedo\w*|paedo\w*|school ?(girl|boy)s?|little (girl|boy)s?)\b/;
const SEXUAL = /\b(sex|sexual|sexually|sexy|nude|nudes|naked|porn\w*|erotic\w*|molest\w*|fondl\w*|seduc\w*|lewd|undress\w*|genitals?)\b/;

/** Keyword rules for English text: a topic applies when one of its patterns matches. */
const RULES: Record<(typeof KEYWORD_ORDER)[number], RegExp[]> = {
  sexual_minors: [/\b(csam|child porn\w*|child sexual|pedophil\w*|paedophil\w*|grooming (a |the )?(child|kid|minor))/],
  sex_crime: [
    /\b(rape|raping|raped|rapist|sexual(ly)? assault\w*|sexual(ly)? abus\w*|molest\w*|non-?consensual|revenge porn|upskirt\w*|hidden cameras?|spy ?cam\w*|voyeur\w*|sex[- ]traffick\w*|human traffick\w*|traffick\w* (women|girls|people|humans)|prostitut\w*|pimp\w*|date[- ]rape|roofie\w*|sextort\w*|force (her|him|someone) (to|into) (have )?sex)/,
  ],
  self_harm: [
    /\b(suicid\w*|kill (myself|yourself|themselves|himself|herself)|end (my|your|their) (own )?life|take my (own )?life|self[- ]harm\w*|cut(ting)? (myself|yourself)|hurt(ing)? (myself|yourself)|starv\w* (myself|yourself)|anorexi\w*|bulimi\w*|purging|thinspo\w*|pro-?ana|hang (myself|yourself)|want to die|wanna die|painless (death|way to die))/,
  ],
  cbrn: [
    /\b(chemical weapons?|chemical warfare|nerve agents?|nerve gas|sarin|tabun|soman|novichok|vx|mustard gas|chlorine gas|phosgene|ricin|abrin|anthrax|botulinum|botulism|toxins?|pathogens?|bioweapons?|biological weapons?|bio-?terror\w*|smallpox|plague|ebola|weaponi[sz]\w*|radioactive|radiological|dirty bomb|uranium|plutonium|nuclear|cesium|caesium|polonium|poison gas|toxic gas|nerve toxin|mass casualt\w*)\b/,
  ],
  violent_extremism: [
    /\b(terror\w*|extremis\w*|jihad\w*|isis|al[- ]?qaeda|taliban|hamas|radicali[sz]\w*|neo-?nazi\w*|nazis?|white supremac\w*|white power|militia\w*|mass shootings?|school shootings?|manifesto|martyr\w*|caliphate|ethnic cleansing|genocide|insurrection)\b/,
  ],
  weapons: [
    /\b(bombs?|bombing|explosives?|explosion|ieds?|detonat\w*|grenades?|guns?|firearms?|rifles?|pistols?|handguns?|shotguns?|ammo|ammunition|bullets?|silencers?|suppressors?|ghost guns?|molotov|napalm|thermite|pipe bombs?|weapons?|weaponry|landmines?|missiles?|auto sear|full[- ]auto\w*|switchblades?|brass knuckles|crossbows?|tannerite|black powder|gunpowder|c-?4|tnt|semtex)\b/,
  ],
  drugs: [
    /\b(drugs?|cocaine|coke|heroin|meth|methamphetamine|crystal meth|fentanyl|carfentanil|lsd|mdma|ecstasy|molly|weed|marijuana|cannabis|opioids?|opiates?|oxy\w*|xanax|ketamine|crack cocaine|narcotics?|get high|getting high|psilocybin|shrooms|magic mushrooms|dmt|ghb|pcp|amphetamines?|adderall|steroids?|drug dealers?|overdose)\b/,
  ],
  cyber: [
    /\b(hack\w*|malware|ransomware|computer virus\w*|viruses|trojans?|keyloggers?|spyware|adware|botnets?|ddos|dos attack|exploits?|sql injection|xss|cross[- ]site|backdoors?|rootkits?|crack\w* (a |the |someone'?s )?(password|wifi|wi-fi|account)|password crack\w*|brute[- ]forc\w*|zero[- ]day|shellcode|payloads?|worms?|data breach\w*|bypass\w* (the )?(firewall|antivirus|anti-virus|authentication|login|2fa|security)|cyber ?attacks?|cyber ?crime|cybercriminal\w*|ddos|penetrat\w* (a |the )?(network|system)|unauthori[sz]ed access|break into (a |the |someone'?s )?(computer|network|system|server|account|email|database)|access (someone|another person)'?s? (account|email|computer|phone))/,
  ],
  impersonation: [/\b(impersonat\w*|pretend(ing)? to be|pose as|posing as|fake (profile|account|persona)s?|catfish\w*|voice clon\w*|clone (his|her|their|a|my|the) voice|spoof\w*)/],
  copyright: [
    /\b(copyright\w*|pirat\w*|torrent\w*|drm|cracked (software|games?|version)|keygen|serial keys?|license keys?|full (text|lyrics)|lyrics (of|to)|plagiari[sz]\w*|trademark\w*|patent\w*|bootleg\w*|intellectual property|for free without paying|download .{0,30} for free)/,
  ],
  defamation: [/\b(defam\w*|slander\w*|libel\w*|smear\w*|ruin (his|her|their|someone'?s|the) (reputation|career)|damag\w* (his|her|their|someone'?s|the) reputation|false (accusation|allegation)s?|false rumou?rs? about)/],
  elections: [/\b(elections?|electoral|voters?|voting|ballots?|polling (station|place|booth)s?|vote|votes|electorate|polls)\b/],
  misinformation: [
    /\b(fake news|misinformation|disinformation|conspirac\w*|hoax\w*|propaganda|false (information|claims?|stor(y|ies)|narratives?|news|facts?)|spread\w* (lies|rumou?rs|false\w*)|made[- ]up (stud(y|ies)|statistics?)|deep ?fakes?|fabricat\w*|flat earth|vaccines? (cause|causes)|chemtrails?|moon landing was fake|mislead\w* (the public|people|readers|voters))/,
  ],
  fraud: [
    /\b(scam\w*|fraud\w*|phish\w*|counterfeit\w*|fake (ids?|identit\w*|diplomas?|degrees?|documents?|invoices?|reviews?|receipts?|checks?|cheques?|passports?|licen[cs]es?|charit\w*|certificates?|credentials|prescriptions?|transcripts?)|forg(e|ery|ed|ing)\b|ponzi|pyramid scheme|embezzl\w*|identity theft|steal\w* (someone'?s |an? )?identit\w*|credit card (numbers?|details|fraud)|insurance fraud|swindl\w*|con (people|someone|elderly|investors)|cheat\w* (people|customers|investors|clients|the elderly|elderly)|pump[- ]and[- ]dump|ponzi|deceiv\w* (customers|people|investors|consumers)|false advertising|bait[- ]and[- ]switch)/,
  ],
  privacy: [
    /\b(home address\w*|phone numbers?|personal (information|info|data|details)|social security numbers?|ssn|dox\w*|track(ing)? (someone|a person|my (wife|husband|girlfriend|boyfriend|partner|ex|employees?|kids?|neighbou?r))|location of|spy(ing)? on|surveil\w*|monitor\w* (my|someone|a person|employees?)|read (someone'?s|my \w+'?s) (texts|messages|emails?)|stalk\w*|where (he|she|they|someone) lives|private (information|records|messages|photos)|medical records|without (their|his|her) (knowledge|consent|permission)|data theft|steal\w* (personal )?data|geolocat\w*|facial recognition)/,
  ],
  discrimination: [
    /\b(discriminat\w*|refus\w* to (hire|rent|serve)|not (to )?hire|avoid hiring|deny\w* (housing|loans?|service|employment|jobs?)|segregat\w*|redlin\w*|based on (their )?(race|gender|religion|age|ethnicity|sexual orientation|disability|nationality)|screen out (applicants|candidates))/,
  ],
  hate_harassment: [
    /\b(racis\w*|slurs?|hate speech|hateful|hatred|inferior|subhuman|bigot\w*|bully\w*|harass\w*|humiliat\w*|insult\w*|mock\w*|troll\w*|demean\w*|degrad\w*|threaten\w*|intimidat\w*|cyberbull\w*|offensive (jokes?|terms?|names?)|homophob\w*|transphob\w*|xenophob\w*|misogyn\w*|antisemit\w*|islamophob\w*|dehumaniz\w*|stereotyp\w*|dog whistles?|n[i1]gg\w*|fag\w*|retard\w*)/,
    /\b(black people|jews|jewish people|muslims|immigrants|gays|gay people|lesbians|women|trans people|transgender|asians|mexicans|africans|arabs|christians|hindus|disabled people|refugees|minorities|chinese people|indians)\b/,
  ],
  sexual_content: [
    /\b(porn\w*|erotic\w*|explicit (sex\w*|scene|story|content)|sex (scene|story|stories|chat|tape)|sexually explicit|nude\w*|naked|orgasm\w*|fetish\w*|nsfw|sexting|sext|horny|masturbat\w*|blowjob|genital\w*|penis|vagina|boobs|breasts|dick|pussy|kinky|bdsm|strip ?tease|onlyfans|hooker|escort service|one[- ]night stand|have sex|sex with)/,
  ],
  violent_crime: [
    /\b(kill\w*|murder\w*|assassinat\w*|stab\w*|strangl\w*|chok(e|ing) (someone|him|her)|shoot\w* (someone|him|her|my|a person|people|them)|beat (up|someone|him|her|them)|beating|hurt (someone|him|her|people|my|them|a person)|tortur\w*|kidnap\w*|abduct\w*|hostages?|assault\w*|attack\w* (someone|people|my|him|her|a person|them)|maim\w*|poison\w*|animal cruelty|(abuse|hurt|harm|torture) (my |a |the )?(dog|cat|animal|pet|horse)s?|punch\w*|dispose of (a|the) body|arson|set fire|burn down|violen\w*|injur\w* (someone|him|her|people)|physically harm|blood|fight\w*|lynch\w*|massacre)/,
  ],
  nonviolent_crime: [
    /\b(steal\w*|stole|theft|thief|shoplift\w*|rob|robb\w*|burglar\w*|break into|pick (a |the )?locks?|lock ?pick\w*|hotwir\w*|smuggl\w*|traffick\w*|launder\w*|tax evasion|evad\w* (taxes|tax|the police|police|law enforcement|arrest)|avoid paying (taxes|tax)|insider trading|brib\w*|vandal\w*|graffiti|get away with|without getting caught|not get caught|illegal\w*|black market|dark ?web|counterfeit money|fake money|cheat\w* on (an?|my|the) (exam|test)|poach\w*|stolen|loot\w*|extort\w*|blackmail\w*|trespass\w*|fence stolen|pickpocket\w*|carjack\w*|skim\w*)/,
  ],
};

/** First keyword topic (in KEYWORD_ORDER) among `allowed` whose rules match the text, or null. */
export function keywordTopic(text: string, allowed: ReadonlySet<string>): string | null {
  const t = text.toLowerCase();
  if (allowed.has('sexual_minors') && ((CHILD.test(t) && SEXUAL.test(t)) || RULES.sexual_minors.some((r) => r.test(t)))) return 'sexual_minors';
  for (const topic of KEYWORD_ORDER) {
    if (topic === 'sexual_minors' || !allowed.has(topic)) continue;
    if (RULES[topic].some((r) => r.test(t))) return topic;
  }
  return null;
}

/** What a source category says: candidate topics (ordered by preference; `null` = any topic) and whether the text is a request or content. */
export interface CategoryRule {
  /** Candidate topics; the first present one wins when `fixed`, otherwise keywords / the labeller choose among them. */
  candidates: string[] | null;
  /** The category names the topic outright (keywords are not consulted). */
  fixed: boolean;
  /** AILuminate specialized advice (spc_*): not a harm, kept out of the binary unsafe figures. */
  specialized?: boolean;
}

const ANY: CategoryRule = { candidates: null, fixed: false };
const fixed = (...candidates: string[]): CategoryRule => ({ candidates, fixed: true });
const among = (...candidates: string[]): CategoryRule => ({ candidates, fixed: false });

/**
 * Category string (any source; lowercased) → rule. The first matching pattern wins; the order puts
 * the specific before the broad ("child abuse / content sexual exploitation" before "child abuse").
 */
const CATEGORY_RULES: [RegExp, CategoryRule][] = [
  [/^specialized_advice_/, { candidates: ['specialized_advice'], fixed: true, specialized: true }],
  [/child_sexual_exploitation|sexual\/minors|content sexual exploitation|online predation|^child safety/, fixed('sexual_minors')],
  [/child abuse, (adult content|sexual exploitation)/, fixed('sexual_minors')],
  [/child abuse \/ (physical abuse|neglect)/, among('violent_crime', 'hate_harassment')],
  [/child abuse \/ emotional/, among('hate_harassment', 'violent_crime')],
  [/child abuse/, among('sexual_minors', 'violent_crime', 'hate_harassment')],
  [/sex_related_crimes|sexual exploitation & human trafficking/, among('sex_crime', 'sexual_minors', 'nonviolent_crime')],
  [/human trafficking/, among('sex_crime', 'nonviolent_crime', 'violent_crime')],
  [/sexual_content|adult content|^sexual(,|$)/, among('sexual_content', 'sex_crime', 'sexual_minors')],
  [/suicide|self-harm|self_harm|eating disorders/, fixed('self_harm')],
  [/indiscriminate_weapons_cbrne/, among('cbrn', 'weapons', 'violent_extremism')],
  [/terrorism|extremism/, among('violent_extremism', 'weapons', 'cbrn', 'violent_crime', 'nonviolent_crime')],
  [/weapon/, among('weapons', 'cbrn', 'violent_crime')],
  [/hazardous material/, among('cbrn', 'weapons', 'violent_crime', 'drugs')],
  [/illegal activity \/ drug|substance abuse/, among('drugs', 'self_harm', 'violent_crime')],
  [/malware|cybercrime|^illegal activity \/ cyber/, fixed('cyber')],
  [/cyberbullying/, among('hate_harassment', 'cyber', 'privacy')],
  [/phishing|scam|fraud|counterfeit|identity theft|false advertising|investment|market manipulation|financial fraud/, among('fraud', 'nonviolent_crime', 'cyber', 'impersonation')],
  [/intellectual[_ ]property|copyright/, among('copyright', 'fraud')],
  [/defamation/, among('defamation', 'misinformation', 'hate_harassment')],
  [/elections|political campaigning/, among('elections', 'misinformation', 'defamation', 'privacy', 'cyber', 'fraud', 'hate_harassment')],
  [/misinformation|conspiracy|false information/, among('misinformation', 'elections', 'defamation', 'hate_harassment')],
  [/deepfake/, among('impersonation', 'sex_crime', 'misinformation', 'privacy')],
  [/privacy|doxxing|surveillance|tracking|data theft|personally identifiable/, among('privacy', 'cyber', 'fraud')],
  [/^hate|hate\b|racial|religious intolerance|discrimination & injustice|offensive language|gender-based/, among('hate_harassment', 'discrimination', 'violent_crime', 'misinformation')],
  [/harass|bullying/, among('hate_harassment', 'privacy', 'violent_crime')],
  [/animal abuse/, among('violent_crime')],
  [/non_violent_crimes|theft|robbery|property crime|vandalism|illegal and highly regulated|non-violent unethical|tailored financial advice/, among('nonviolent_crime', 'fraud', 'cyber', 'drugs', 'weapons', 'privacy', 'copyright')],
  [/violent_crimes|violence|assault|physical harm|unsafe practices/, among('violent_crime', 'weapons', 'hate_harassment', 'self_harm', 'nonviolent_crime')],
];

/** The rule for a source category (null category or an unknown one: any topic). */
export function categoryRule(category: string | null): CategoryRule {
  if (!category) return ANY;
  let c = category.toLowerCase().replace(/\s*\(persona=[a-z]+\)\s*$/, '');
  // Jailbreak-wrapped rows: the inner question's category decides.
  c = c.replace(/^jailbreak_template\s*\/\s*/, '');
  for (const [re, rule] of CATEGORY_RULES) if (re.test(c)) return rule;
  return ANY;
}

/** Topics a labeller may pick for a row whose category says nothing (not the advisory or meta topics). */
export const NOT_A_HARM_FALLBACK = new Set(['explanations', 'ai_disclosure', 'specialized_advice', 'prompt_injection']);
