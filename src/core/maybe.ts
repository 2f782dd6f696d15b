/**
 * Values a repository may give synchronously (SQLite, in-process) or as a promise (PostgreSQL,
 * over the network). Callers `await` either; a synchronous implementation satisfies the async
 * shape, so one caller serves both backends.
 */
export type MaybePromise<T> = T | Promise<T>;

/** An interface whose methods may answer with promises: `Awaitable<KeyStore>` is any key store. */
export type Awaitable<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => MaybePromise<R> : T[K] };
