/** The guardrail gateway: an OpenAI-compatible proxy with keys and tiers, adapter routing and a hash-chained audit log. */
export { createGateway, type Gateway, type GatewayOptions } from './server.js';
export { GatewayConfig, gatewayConfig, type GatewayConfigInput } from './config.js';
export { createKeyStore, type KeyStore, type ApiKeyRecord } from './keys.js';
export { createAuditLog, verifyAudit, exportAudit, canonicalJson, GENESIS_HASH, type AuditLog, type AuditEntry, type AuditRow, type VerifyResult } from './audit.js';
