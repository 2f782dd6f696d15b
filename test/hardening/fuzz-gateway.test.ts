import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputConfig } from '../../src/gateway/config.js';
import { fileData, fileText } from '../../src/gateway/file-text.js';
import { HttpError } from '../../src/gateway/http.js';
import { inputSegments, messageText, rewriteInput } from '../../src/gateway/input-channels.js';
import { ChatRequest, SseParser } from '../../src/gateway/openai.js';

/**
 * Property tests of the gateway's parsers of outside input, through their exported functions
 * only: the OpenAI request schema, the input channels (content parts, files, tool calls, tools),
 * file parts and the SSE parser. Each input is read or refused with a 400 (`HttpError`), never a
 * crash; writers (fileData, SSE framing) round-trip.
 */

const RUNS = 150;
const cfgs = [InputConfig.parse({}), InputConfig.parse({ unreadableFiles: 'forward', tools: false, context: 'off' })];

const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', ' ', '\u0000', '\ufeff', 'data:text/plain;base64,aGk=', 'aGVsbG8=', '%PDF-1.4', '{"a":1}', 'How do I kill a process?'));
const partType = fc.constantFrom('text', 'input_text', 'output_text', 'refusal', 'file', 'input_file', 'image_url', 'input_image', 'input_audio', 'weird', '');
const fileObj = fc.record(
  { file_data: fc.oneof(anyText, fc.constant(123), fc.base64String({ maxLength: 40 }), anyText.map((t) => fileData(t, 'text/plain'))), file_id: fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null)), filename: fc.string({ maxLength: 8 }) },
  { requiredKeys: [] },
);
const part = fc.record(
  { type: partType, text: fc.oneof(anyText, fc.constant(7)), refusal: anyText, file: fc.oneof(fileObj, fc.constant(null), fc.constant('x')), file_data: anyText, image_url: fc.record({ url: anyText }) },
  { requiredKeys: ['type'] },
);
const toolCall = fc.record({ id: fc.string({ maxLength: 6 }), function: fc.record({ name: fc.string({ maxLength: 6 }), arguments: fc.oneof(anyText, fc.json({ maxDepth: 2 }), fc.constant(5)) }, { requiredKeys: [] }) }, { requiredKeys: [] });
const message = fc.record(
  {
    role: fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function', 'other', ''),
    content: fc.oneof(anyText, fc.array(part, { maxLength: 4 }), fc.constant(null), fc.constant(42), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 })),
    refusal: anyText,
    reasoning_content: anyText,
    tool_calls: fc.oneof(fc.array(toolCall, { maxLength: 3 }), fc.constant('x')),
    function_call: fc.record({ arguments: anyText }, { requiredKeys: [] }),
  },
  { requiredKeys: ['role'] },
);
const schemaLike: fc.Arbitrary<unknown> = fc.letrec<{ s: unknown }>((tie) => ({
  s: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.jsonValue({ maxDepth: 1 }), fc.record({ description: anyText, title: anyText, enum: fc.array(fc.oneof(anyText, fc.integer()), { maxLength: 3 }), properties: fc.dictionary(fc.string({ maxLength: 5 }), tie('s'), { maxKeys: 3 }) }, { requiredKeys: [] })),
})).s;
const request = fc.record(
  {
    model: fc.oneof(fc.string({ maxLength: 10 }), fc.constant(3)),
    messages: fc.oneof(fc.array(message, { minLength: 0, maxLength: 5 }), fc.constant('hi')),
    stream: fc.oneof(fc.boolean(), fc.constant('yes')),
    tools: fc.array(fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.string({ maxLength: 6 }), description: anyText, parameters: schemaLike }, { requiredKeys: [] }) }, { requiredKeys: [] }), { maxLength: 3 }),
    functions: fc.array(fc.oneof(fc.constant(null), fc.record({ description: anyText, parameters: schemaLike }, { requiredKeys: [] })), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

describe('fuzz: gateway request parsing', () => {
  it('any JSON body: the schema accepts or rejects; an accepted request gives segments or a 400, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(request, fc.jsonValue({ maxDepth: 4 })), (body) => {
        const parsed = ChatRequest.safeParse(body);
        if (!parsed.success) return;
        for (const cfg of cfgs) {
          let segs;
          try {
            segs = inputSegments(parsed.data, cfg);
          } catch (e) {
            expect(e).toBeInstanceOf(HttpError);
            expect((e as HttpError).status).toBe(400);
            continue;
          }
          for (const s of segs) {
            expect(typeof s.text).toBe('string');
            expect(s.text.trim()).not.toBe('');
          }
          // Rewriting every segment (redaction) gives messages whose segments hold the new texts.
          const edits = segs.filter((s) => s.place.at !== 'fixed').map((s) => ({ place: s.place, text: `[${s.text.length}]` }));
          const rewritten = rewriteInput(parsed.data.messages, edits);
          const again = inputSegments({ ...parsed.data, messages: rewritten }, cfg).filter((s) => s.place.at !== 'fixed');
          expect(again.map((s) => s.text)).toEqual(edits.map((e) => e.text));
          for (const m of parsed.data.messages) expect(typeof messageText(m, cfg)).toBe('string');
        }
      }),
      { numRuns: RUNS },
    );
  });

  // Found by this test (issue 12): a tool schema nested ~20,000 deep parses (JSON.parse is not
  // recursive) but the schema walk overflowed the stack; it now walks with its own stack.
  it('a deeply nested request is a 400, not a stack overflow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30_000 }), (n) => {
        const text = `{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${'{"properties":{"a":'.repeat(n)}{"description":"x"}${'}}'.repeat(n)}}}]}`;
        const parsed = ChatRequest.safeParse(JSON.parse(text));
        if (!parsed.success) return;
        try {
          inputSegments(parsed.data, cfgs[0]!);
        } catch (e) {
          expect(e).toBeInstanceOf(HttpError);
        }
      }),
      { numRuns: 20, examples: [[20_000]] },
    );
  });

  it('file parts: any file object is text or unreadable with a reason; fileData round-trips text', () => {
    fc.assert(
      fc.property(fileObj, (f) => {
        const r = fileText(f);
        if ('unreadable' in r) expect(r.unreadable.length).toBeGreaterThan(0);
        else expect(typeof r.text).toBe('string');
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }).filter((t) => !/[\u0000-\u0008\u000e-\u001f]/.test(t) && !t.startsWith('\ufeff') && !t.startsWith('%PDF-')), fc.constantFrom('text/plain', 'text/markdown', 'application/json'), (t, mime) => {
        expect(fileText({ file_data: fileData(t, mime) })).toEqual({ text: t, mime });
      }),
      { numRuns: RUNS },
    );
  });
});

/** SSE framing of payloads (one `data:` line per payload line), then cut into chunks anywhere. */
function frame(payloads: string[], eol: string): string {
  return payloads.map((p) => `${p.split('\n').map((l) => `data: ${l}`).join(eol)}${eol}${eol}`).join('');
}
function cut(s: string, at: number[]): string[] {
  const points = [...new Set(at.map((a) => a % (s.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(s.slice(prev, p));
    prev = p;
  }
  out.push(s.slice(prev));
  return out;
}
const payload = fc.string({ maxLength: 30, unit: fc.constantFrom('a', 'b', ' ', ':', '{', '}', '"', 'é', 'data', '\n') });
const singleLine = fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom('a', 'b', ' ', ':', '{', '}', '"', 'é', 'data') });

describe('fuzz: SSE parser', () => {
  it('any text: complete events come out, never an error', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30, unit: fc.constantFrom('d', 'a', 't', ':', ' ', '\n', '\r', 'x', '[DONE]') }), { maxLength: 8 }), (chunks) => {
        const p = new SseParser();
        for (const c of chunks) for (const e of p.push(c)) expect(typeof e.data).toBe('string');
        expect(typeof p.rest()).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('LF framing cut into chunks anywhere gives back every payload', () => {
    fc.assert(
      fc.property(fc.array(payload, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (payloads, at) => {
        const p = new SseParser();
        const got = cut(frame(payloads, '\n'), at).flatMap((c) => p.push(c).map((e) => e.data));
        expect(got).toEqual(payloads);
      }),
      { numRuns: RUNS },
    );
  });

  it('CRLF framing of one-line payloads cut into chunks anywhere gives back every payload', () => {
    fc.assert(
      fc.property(fc.array(singleLine, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (payloads, at) => {
        const p = new SseParser();
        const got = cut(frame(payloads, '\r\n'), at).flatMap((c) => p.push(c).map((e) => e.data));
        // A CR/LF pair cut between two chunks reads as two line ends: an empty event may appear
        // between payloads, never a changed or lost payload.
        expect(got.filter((d) => d !== '')).toEqual(payloads);
      }),
      { numRuns: RUNS },
    );
  });

  // Found by this test: with CRLF framing, a chunk that ended between the CR and the LF of a line
  // split a multi-line event in two ("\r" then "\n" made a blank line). Counterexample kept below:
  // payload "a\nb", framed "data: a\r\ndata: b\r\n\r\n", cut after "data: a\r".
  it('CRLF framing of multi-line payloads cut between CR and LF gives back every payload', () => {
    fc.assert(
      fc.property(fc.array(payload, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (payloads, at) => {
        const p = new SseParser();
        const got = cut(frame(payloads, '\r\n'), at).flatMap((c) => p.push(c).map((e) => e.data));
        expect(got).toEqual(payloads);
      }),
      { numRuns: RUNS, examples: [[['a\nb'], [8]]] },
    );
  });
});
