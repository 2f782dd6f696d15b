/** Writes schema/policy-pack.schema.json from the zod schema: `npm run schema`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { assetPath } from '../src/core/paths.js';
import { policySchemaText, SCHEMA_FILE } from '../src/policy/json-schema.js';

const out = assetPath(SCHEMA_FILE);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, policySchemaText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
