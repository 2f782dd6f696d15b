/**
 * One error tree for the whole toolkit. User mistakes are `UserError`s: the CLI prints
 * their message (one clear line, or one line per problem) and never a stack trace.
 */
export type ErrorCode =
  | 'usage'
  | 'config'
  | 'policy_invalid'
  | 'dataset_invalid'
  | 'not_found'
  | 'target_unreachable'
  | 'target_error'
  | 'gate_failed'
  | 'parse_error'
  | 'internal';

/** A problem located in a file: printed as `FILE:LINE:COL: message`. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

export class PillarsError extends Error {
  readonly code: ErrorCode;
  readonly isRetryable: boolean;
  /** Exit code the CLI uses: 2 usage/configuration, 1 check failed. */
  readonly exitCode: number;
  override readonly cause?: unknown;

  constructor(
    message: string,
    opts: { code?: ErrorCode; isRetryable?: boolean; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message);
    this.name = 'PillarsError';
    this.code = opts.code ?? 'internal';
    this.isRetryable = opts.isRetryable ?? false;
    this.exitCode = opts.exitCode ?? 1;
    this.cause = opts.cause;
  }
}

/**
 * A mistake by the user (bad input, bad file). Exit 2 unless said otherwise. Library code names
 * the input it is about in `option` (e.g. `mode echo`, `watch`), never a command-line flag in the
 * message; the CLI, whose flags carry those names, prints `--OPTION: message`.
 */
export class UserError extends PillarsError {
  readonly problems: Problem[];
  /** The input (option name, optionally with its value) the error is about. */
  readonly option?: string;
  constructor(
    message: string,
    opts: { code?: ErrorCode; exitCode?: number; problems?: Problem[]; cause?: unknown; option?: string } = {},
  ) {
    super(message, { code: opts.code ?? 'usage', exitCode: opts.exitCode ?? 2, cause: opts.cause });
    this.name = 'UserError';
    this.problems = opts.problems ?? [];
    this.option = opts.option;
  }
}

/** A provider / network failure. `isRetryable` for 408, 409, 429, 5xx and timeouts. */
export class TargetError extends PillarsError {
  readonly status?: number;
  constructor(message: string, opts: { status?: number; isRetryable?: boolean; cause?: unknown } = {}) {
    const retryable =
      opts.isRetryable ??
      (opts.status !== undefined && (opts.status === 408 || opts.status === 409 || opts.status === 429 || opts.status >= 500));
    super(message, { code: 'target_error', isRetryable: retryable, exitCode: 1, cause: opts.cause });
    this.name = 'TargetError';
    this.status = opts.status;
  }
}

/**
 * An HTTP answer other than success, raised inside a request handler (the reward server, the
 * review app): `status` is what the client gets, the message its error text.
 */
export class HttpError extends PillarsError {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, opts: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { code: status >= 500 ? 'internal' : status === 404 ? 'not_found' : 'usage', exitCode: status >= 500 ? 1 : 2, cause: opts.cause });
    this.name = 'HttpError';
    this.status = status;
    this.headers = opts.headers ?? {};
  }
}

export function isPillarsError(e: unknown): e is PillarsError {
  return e instanceof PillarsError;
}
