export * from './types.js';
export * from './registry.js';
export { encodeBase64, decodeBase64, rot13, leetspeak, unleet, homoglyphs, unhomoglyphs, spaced, unspaced } from './transforms/encoding.js';
export { glossaryTranslate } from './transforms/translation.js';
export { splitPayload } from './transforms/multiturn.js';
