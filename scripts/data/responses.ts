import type { Response, SeedLine } from './lib.js';
export function buildResponses(_o: { seedsDir: string; topicSeeds: Map<string, SeedLine[]>; seed: number }): Response[] {
  return [];
}
