export { runFrontier, modelVersionOf, type FrontierRunOutput, type DomainOutcome } from './run.js';
export { frontierGate, frontierGates } from './gate.js';
export { compareVersions, type CompareRow, type Delta } from './compare.js';
export { frontierDomains, FrontierSection as FrontierConfigSection, FrontierDomainConfig, BUILTIN_DOMAINS, type FrontierDomain } from './config.js';
export { readBenchmark, mcqPrompt, type McqItem } from './benchmark.js';
export { frontierSection, frontierSectionOf, type FrontierSectionData } from './section.js';
