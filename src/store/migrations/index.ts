/**
 * Schema migrations, one file per feature, ids in the feature's range:
 *   1-99 core · 100-199 eval · 200-299 guard/gateway · 300-399 red team, deception, frontier ·
 *   400-499 review · 500-599 rewards and training data.
 * Never edit a migration that has shipped: add a new one.
 */
export interface Migration {
  id: number;
  name: string;
  up: string;
}

import { core } from './001_core.js';
import { evalMigrations } from './100_eval.js';
import { gateway } from './200_gateway.js';
import { toolApprovals } from './250_tool_approvals.js';
import { redteam } from './300_redteam.js';
import { review } from './400_review.js';
import { reviewClaims } from './401_review_claims.js';
import { rewards } from './500_rewards.js';

export const MIGRATIONS: Migration[] = [...core, ...evalMigrations, ...gateway, ...toolApprovals, ...redteam, ...review, ...reviewClaims, ...rewards];
