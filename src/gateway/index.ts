/** The guardrail gateway: an OpenAI-compatible proxy with keys and tiers, adapter routing and a hash-chained audit log. */
export { createGateway, type Gateway, type GatewayOptions } from './server.js';
export { GatewayConfig, gatewayConfig, type GatewayConfigInput } from './config.js';
export { createKeyStore, openKeyStore, type KeyStore, type ApiKeyRecord } from './keys.js';
export { openGatewayBackend, sqliteGatewayBackend, type GatewayBackend } from './backend.js';
export { createAuditLog, verifyAudit, verifyAuditStore, exportAudit, exportAuditStore, canonicalJson, GENESIS_HASH, type AuditLog, type AuditEntry, type AuditRow, type VerifyResult } from './audit.js';
