import { spawn } from 'node:child_process';
import { PillarsError, TargetError } from '../../core/errors.js';
import type { Ctx, GenerateRequest, Generation } from '../../core/types.js';
import type { ExecTargetConfig } from './entry.js';
import type { ProbeableTarget } from '../types.js';
import { fingerprintOf, getPath, snippet } from '../util.js';

/**
 * A command that reads the conversation on stdin as one JSON object
 * `{"messages": [{role, content}...], "options": {...}}` and writes the answer on stdout (plain text,
 * or JSON with `responsePath`). A non-zero exit fails the request with the command's stderr.
 */
export class ExecTarget implements ProbeableTarget {
  readonly id: string;
  readonly fingerprint: string;
  private readonly argv: string[];

  constructor(private readonly cfg: ExecTargetConfig, private readonly cwd: string) {
    this.id = cfg.id;
    this.fingerprint = fingerprintOf(cfg);
    this.argv = Array.isArray(cfg.command) ? cfg.command : ['/bin/sh', '-c', cfg.command];
  }

  generate(req: GenerateRequest, ctx: Ctx): Promise<Generation> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const [cmd, ...args] = this.argv;
      const child = spawn(cmd!, args, { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'], signal: ctx.signal });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', (e) => {
        const aborted = ctx.signal.aborted;
        const timeout = (ctx.signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
        reject(new TargetError(`target ${this.id}: ${aborted ? (timeout ? 'command timed out' : 'aborted') : `cannot run ${cmd}: ${e.message}`}`, { isRetryable: timeout, cause: e }));
      });
      child.on('close', (code) => {
        if (ctx.signal.aborted) return;
        const stdout = Buffer.concat(out).toString('utf8');
        if (code !== 0) {
          reject(new TargetError(`target ${this.id}: command exited with ${code}: ${snippet(Buffer.concat(err).toString('utf8'))}`, { isRetryable: false }));
          return;
        }
        let text = stdout.replace(/\r?\n$/, '');
        if (this.cfg.responsePath) {
          try {
            const v = getPath(JSON.parse(stdout), this.cfg.responsePath);
            text = typeof v === 'string' ? v : JSON.stringify(v ?? '');
          } catch {
            reject(new TargetError(`target ${this.id}: stdout is not JSON (responsePath is set): ${snippet(stdout)}`, { isRetryable: false }));
            return;
          }
        }
        resolve({ text, finishReason: 'stop', latencyMs: Math.round(performance.now() - t0) });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(JSON.stringify({ messages: req.messages, options: { ...this.cfg.options, ...req.options } }));
    });
  }

  async probe(): Promise<void> {
    const [cmd] = this.argv;
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cmd!, ['--version'], { stdio: 'ignore', cwd: this.cwd });
      child.on('error', (e) => reject(new PillarsError(`target ${this.id}: cannot run ${cmd}: ${e.message}`, { code: 'target_unreachable', exitCode: 2 })));
      child.on('spawn', () => {
        child.kill();
        resolve();
      });
    });
  }
}
