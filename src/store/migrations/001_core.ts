import type { Migration } from './index.js';

export const core: Migration[] = [
  {
    id: 1,
    name: 'meta',
    up: `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
];
