/** Datasets: item readers (JSONL, CSV, YAML), the importer and the built-in suites. */
export { openSuite, filesOf, listBuiltinSuites, loadManifest, builtinSuitesDir, SuitesConfig, SuiteRef, SuiteManifest, type Suite, type Tier, type OpenSuiteOptions, type BuiltinSuiteInfo } from './suites.js';
export { readItemsFile, iterateItems, validateItemsFile, checkRows, type ValidationResult, type ReadItemsOptions, type CheckedRow } from './read.js';
export { importDataset, parseAssignments, type ImportSpec, type ImportResult } from './import.js';
export { readRows, formatOf, type DatasetFormat, type RawRow } from './rows.js';
