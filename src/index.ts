/** The public library API of Pillars. What users may import is listed here, and only here. */
export * from './core/pillars.js';
export * from './core/types.js';
export * from './core/errors.js';
export { createCtx, createLogger } from './core/context.js';
export * from './policy/schema.js';
export { loadPack, checkPack, type LoadedPack, type PackProblem } from './policy/load.js';
export { loadConfig, section, type LoadedConfig } from './config/load.js';
export { openDb, type Db } from './store/db.js';
