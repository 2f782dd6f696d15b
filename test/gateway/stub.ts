/** The gateway tests' upstream: the one OpenAI stub (src/targets/testing/openai-stub.ts) with the gateway's defaults. */
export { startUpstreamStub, type SeenRequest, type StubReply, type UpstreamStub } from '../../src/targets/testing/openai-stub.js';
