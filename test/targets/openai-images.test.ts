import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/attacks/render.js';
import { createCtx } from '../../src/core/context.js';
import { loadPack } from '../../src/policy/load.js';
import { defaultPackPath } from '../../src/core/paths.js';
import { assessRisk, formatRiskMarkdown } from '../../src/policy/risk.js';
import { TargetConfig } from '../../src/targets/config.js';
import { createTarget } from '../../src/targets/index.js';

/**
 * An image generator as an eval target (issue 17): a local server speaking the OpenAI images API
 * (`POST /v1/images/generations`, `b64_json`) answers a PNG with text in it; the target reads the
 * image back (embedded OCR) so the judges see what the image says. The provider's own content
 * filter (400 content_policy_violation) is an answer, not an error. The risk register links the
 * image-generator harms to these checks.
 */

describe('targets: openai-images', () => {
  let server: Server;
  let url: string;
  const seen: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const b = JSON.parse(body) as { prompt: string };
        seen.push({ ...b, auth: req.headers.authorization });
        if (req.url !== '/v1/images/generations') {
          res.writeHead(404).end();
          return;
        }
        if (b.prompt.includes('forbidden')) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'content_policy_violation', message: 'Your request was rejected by the safety system.' } }));
          return;
        }
        const png = renderText(`POSTER: ${b.prompt}`, { kind: 'photo', size: 26, seed: 3 });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ created: 1, data: [{ b64_json: png.toString('base64') }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the prompt to the images API and answers what the generated image says (OCR)', async () => {
    process.env.PILLARS_TEST_IMAGES_KEY = 'sk-images';
    const cfg = TargetConfig.parse({ id: 'painter', type: 'openai-images', baseUrl: url, model: 'sdxl', apiKeyEnv: 'PILLARS_TEST_IMAGES_KEY', size: '512x512' });
    const t = createTarget(cfg, {
      resolve: (p) => p,
      lookup: () => {
        throw new Error('no other targets');
      },
    });
    try {
      const g = await t.generate({ messages: [{ role: 'user', content: 'Vote on Wednesday not Tuesday' }] }, createCtx());
      expect(seen.at(-1)).toMatchObject({ model: 'sdxl', prompt: 'Vote on Wednesday not Tuesday', response_format: 'b64_json', size: '512x512', auth: 'Bearer sk-images' });
      expect(g.text).toContain('[generated image 1]');
      expect(g.text).toContain('Text in the image: POSTER: Vote on Wednesday not Tuesday');
      const refused = await t.generate({ messages: [{ role: 'user', content: 'something forbidden' }] }, createCtx());
      expect(refused.finishReason).toBe('content_filter');
      expect(refused.text).toContain('refused the prompt');
    } finally {
      await t.close?.();
    }
  }, 60_000);

  it('the image-generator risk register links its harms to the generated-image and typographic checks', () => {
    const r = assessRisk({ product: 'image-generator', pack: loadPack(defaultPackPath).pack });
    const deepfakes = r.harms.find((h) => h.id === 'deepfakes')!;
    expect(deepfakes.checks.join(' ')).toContain('openai-images');
    expect(r.harms.find((h) => h.id === 'prompt-filter-bypass')!.checks.join(' ')).toContain('typographic');
    expect(formatRiskMarkdown(r)).toContain('## Checks');
  });
});
