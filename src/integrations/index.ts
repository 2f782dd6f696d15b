/** Integrations: the guard client, the Vercel AI SDK middleware and LangChain.js runnables. */
export { gatewayGuard, localGuard, blockedText, isBlockingAction, PillarsGuardError, type GuardFn, type GuardRequest, type GatewayGuardOptions } from './guard-client.js';
