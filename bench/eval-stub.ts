/**
 * The benchmark's OpenAI-compatible stub, run in its own process so its CPU does not count
 * against the client being measured. Answers at once; prints its base URL on stdout.
 */
import { startOpenAIStub } from '../src/targets/testing/openai-stub.js';

const stub = await startOpenAIStub({
  record: false,
  respond: (r) => {
    const last = r.messages[r.messages.length - 1]?.content ?? '';
    return last.includes('[R]') ? "I can't help with that request." : `Here is the answer to ${last.slice(0, 40)}`;
  },
});
process.stdout.write(`${stub.url}\n`);
process.on('SIGTERM', () => void stub.close().then(() => process.exit(0)));
