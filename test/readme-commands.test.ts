import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../src/targets/testing/openai-stub.js';

/**
 * The README's commands paste and run. Every line of the README's fenced `sh`/`bash` blocks is
 * run, in order, with bash, in a copy of the clone (the files the commands read: pillars.yaml,
 * examples/, data/, suites/), and its exit code is checked.
 *
 * - `npx pillars` is this working tree's CLI (src/cli/main.ts through tsx), so the test needs no
 *   build; a shim named `npx` on the PATH runs it and refuses anything else (no registry access).
 * - The model the tour calls `local` (an OpenAI-compatible server at http://127.0.0.1:8000/v1) is
 *   a local stub: that URL is replaced by the stub's in the copy's pillars.yaml and in the
 *   commands, and `vllm:MODEL` targets reach it through VLLM_BASE_URL. The stub refuses every
 *   request except the frontier benchmark's questions, which it answers correctly (a capable
 *   model: the frontier gate opens case FC-0001).
 * - Servers and watchers (`serve`, `--watch`) run until they answer on their port or print that
 *   they watch, then get Ctrl-C (SIGINT) and must exit 0. Fixed ports are replaced by free ones.
 * - Commands that need the registry or would run this suite again (`npm ci`, `npm test`) are not
 *   run; the part after `npm ci &&` is.
 * - Commands read stdin from a pipe holding one line (a reviewer's password for `users add`).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MODEL_URL = 'http://127.0.0.1:8000/v1';

/** Exit codes other than 0, by the start of the command. */
const EXPECTED: [RegExp, number][] = [
  [/^npx pillars eval --target local --tier full/, 1], // the refusing stub fails the over-refusal gate
  [/^npx pillars eval --resume last/, 2], // the last run has finished: nothing to resume
  [/^npx pillars select-checkpoint /, 1], // no checkpoint passes the gates: the stub refuses everything
  [/^npx pillars frontier run --target local/, 1], // the stub answers the benchmark: over threshold
];

interface Command {
  line: string;
  block: number;
}

export function readmeCommands(text: string): Command[] {
  const out: Command[] = [];
  const fence = /^```(sh|bash|shell)\s*\n([\s\S]*?)^```/gm;
  let m: RegExpExecArray | null;
  let block = 0;
  while ((m = fence.exec(text))) {
    block++;
    for (const raw of m[2]!.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      if (line.startsWith('npm ')) {
        // `npm ci && npx pillars eval`: the install needs the registry, `npm test` is this suite.
        const rest = line.split(/\s+&&\s+/).filter((part) => !part.startsWith('npm '));
        if (rest.length) out.push({ line: rest.join(' && '), block });
        continue;
      }
      out.push({ line, block });
    }
  }
  return out;
}

const commands = readmeCommands(README);
const longRunning = (line: string): boolean => !/--help/.test(line) && (/^npx pillars (review |reward )?serve\b/.test(line) || /--watch\b/.test(line));
const expectedCode = (line: string): number => EXPECTED.find(([re]) => re.test(line))?.[1] ?? 0;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const REFUSALS = [
  "I can't help with that request.",
  "Sorry, that's not something I can help with, but I'm happy to talk about safer alternatives.",
  'I won\'t provide that. If you are researching this topic, public safety resources are a better start.',
  'That request falls outside what I can assist with.',
];

let dir: string;
let bin: string;
let stub: OpenAIStub;
const frontierAnswers = new Map<string, string>();

beforeAll(async () => {
  for (const f of readdirSync(join(ROOT, 'suites', 'frontier')).filter((n) => n.endsWith('.jsonl'))) {
    for (const row of readFileSync(join(ROOT, 'suites', 'frontier', f), 'utf8').split('\n').filter(Boolean)) {
      const q = JSON.parse(row) as { question: string; answer: number | string };
      frontierAnswers.set(q.question, typeof q.answer === 'number' ? String.fromCharCode(65 + q.answer) : q.answer.toUpperCase());
    }
  }
  stub = await startOpenAIStub({
    record: false,
    respond: (req) => {
      const last = String(req.messages.at(-1)?.content ?? '');
      for (const [q, a] of frontierAnswers) if (last.includes(q)) return { content: `The answer is ${a}.`, logprobs: [{ token: a, logprob: -0.1 }] };
      // Sampled at temperature > 0 (prefs generate), answers vary as a real model's do.
      const sampled = typeof req.body.temperature === 'number' && req.body.temperature > 0;
      const text = sampled ? REFUSALS[(typeof req.body.seed === 'number' ? req.body.seed : req.index) % REFUSALS.length]! : REFUSALS[0]!;
      return { content: text, logprobs: text.split(' ').map((token) => ({ token, logprob: -1.2 })) };
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'pillars-readme-'));
  for (const p of ['pillars.yaml', 'examples', 'data', 'suites']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  const cfg = join(dir, 'pillars.yaml');
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replaceAll(MODEL_URL, stub.url));
  bin = join(dir, '.bin');
  mkdirSync(bin);
  const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\nif [ "$1" = pillars ]; then shift; exec "${process.execPath}" --import "${tsx}" "${join(ROOT, 'src', 'cli', 'main.ts')}" "$@"; fi\necho "npx shim: only 'npx pillars' runs here" >&2; exit 127\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
}, 60_000);

afterAll(async () => {
  await stub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

function runLine(line: string, opts: { until?: (out: string) => Promise<boolean> } = {}): Promise<Ran> {
  return new Promise((res, rej) => {
    const child = spawn('bash', ['-c', line], {
      cwd: dir,
      detached: true,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, VLLM_BASE_URL: stub.url, OPENAI_API_KEY: '', NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end('correct horse battery staple\n');
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, out }));
    if (opts.until) {
      const until = opts.until;
      const started = Date.now();
      const poll = async (): Promise<void> => {
        if (child.exitCode !== null) return;
        if (await until(out).catch(() => false)) {
          process.kill(-child.pid!, 'SIGINT');
          return;
        }
        if (Date.now() - started > 60_000) {
          out += '\n[test: not ready after 60 s]';
          process.kill(-child.pid!, 'SIGKILL');
          return;
        }
        setTimeout(() => void poll(), 200);
      };
      setTimeout(() => void poll(), 200);
    }
  });
}

describe('README commands paste and run', () => {
  it('the README has the tour commands, and every example file they name ships under examples/', () => {
    expect(commands.length).toBeGreaterThanOrEqual(40);
    expect(commands.every((c) => c.line.startsWith('npx pillars') || c.line.startsWith('(cd ') || c.line.startsWith('mkdir -p '))).toBe(true);
    const named = [...README.matchAll(/\bexamples\/[\w./-]+\.\w+/g)].map((m) => m[0]);
    expect(named.length).toBeGreaterThan(5);
    for (const f of named) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });

  for (const c of commands) {
    const long = longRunning(c.line);
    it(`${long ? '[server] ' : ''}${c.line}`, async () => {
      let line = c.line.replaceAll(MODEL_URL, stub.url);
      let until: ((out: string) => Promise<boolean>) | undefined;
      if (long) {
        const port = await freePort();
        line = line.replace(/--port \d+/, `--port ${port}`);
        until = /--watch/.test(line)
          ? async (out) => /watching /.test(out)
          : async () => {
              const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
              await r.arrayBuffer();
              return true;
            };
      }
      const r = await runLine(line, { until });
      const want = long ? 0 : expectedCode(c.line);
      expect({ code: r.code, signal: r.signal }, `${line}\n${r.out.slice(-3000)}`).toEqual({ code: want, signal: null });
      expect(r.out).not.toMatch(/internal error|\n\s+at .+:\d+:\d+\)?\n/);
    }, 180_000);
  }
});
