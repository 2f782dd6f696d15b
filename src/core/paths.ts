import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (where package.json, policies/ and suites/ live). Works from src/ (tests, tsx)
 * and from dist/ (the installed CLI): both are two folders below the root.
 */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const assetPath = (...parts: string[]): string => join(packageRoot, ...parts);

/** The built-in default policy pack (a folder of YAML files). */
export const defaultPackPath = assetPath('policies', 'default');
