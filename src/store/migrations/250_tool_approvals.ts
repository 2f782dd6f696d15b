import type { Migration } from './index.js';

/** Tool calls the gateway holds for a human (`gateway.tools` rules with `action: approve`). */
export const toolApprovals: Migration[] = [
  {
    id: 250,
    name: 'gateway_tool_approvals',
    up: `
CREATE TABLE gateway_tool_approvals (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  request_id TEXT NOT NULL,
  key_id TEXT,
  tier TEXT NOT NULL,
  tool TEXT NOT NULL,
  arguments TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'abandoned')),
  reviewer TEXT,
  decided_at TEXT,
  note TEXT
);
CREATE INDEX gateway_tool_approvals_status ON gateway_tool_approvals (status, created_at);
`,
  },
];
