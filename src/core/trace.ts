import { context as otelContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type TextMapGetter, type TextMapSetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * OpenTelemetry traces for the gateway, the eval runner and the reward server: off unless an
 * OTLP/HTTP endpoint (or, in tests, an exporter) is given. No global provider is registered
 * (several gateways may live in one process): each `Tracing` owns its provider, and contexts are
 * passed explicitly. W3C `traceparent`/`tracestate` are read from incoming headers and written
 * on outgoing ones.
 */

export interface TracingOptions {
  /** OTLP/HTTP traces URL (e.g. http://127.0.0.1:4318/v1/traces). */
  endpoint?: string;
  /** An exporter of one's own (tests: InMemorySpanExporter); spans are exported one by one. */
  exporter?: SpanExporter;
  serviceName: string;
  /** Headers for the collector (an authorization token, read from the environment by the caller). */
  headers?: Record<string, string>;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Start a span, child of `parent` (default: none); `startTime` in epoch milliseconds. A no-op span when tracing is off. */
  start(name: string, attributes?: Attributes, parent?: Context, opts?: { kind?: SpanKind; startTime?: number }): Span;
  /** Run `fn` inside a span that ends (with an error status when `fn` throws) when it settles. */
  span<T>(name: string, attributes: Attributes, parent: Context | undefined, fn: (span: Span, ctx: Context) => Promise<T>): Promise<T>;
  /** The context carried by W3C trace-context headers (ROOT_CONTEXT when there is none). */
  extract(headers: Record<string, string | string[] | undefined>): Context;
  /** W3C trace-context headers for `ctx` (empty when tracing is off). */
  inject(ctx: Context): Record<string, string>;
  /** The context with `span` as its active span. */
  withSpan(ctx: Context, span: Span): Context;
  /** Export what is pending and stop. */
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();
const getter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (c) => Object.keys(c),
  get: (c, k) => c[k.toLowerCase()] ?? c[k],
};
const setter: TextMapSetter<Record<string, string>> = { set: (c, k, v) => void (c[k] = v) };

const noopTracer = trace.getTracer('pillars-noop');

/** Tracing as configured: a real provider with an endpoint or exporter, else a no-op that costs nothing. */
export function createTracing(opts: TracingOptions): Tracing {
  let tracer: Tracer = noopTracer;
  let provider: BasicTracerProvider | null = null;
  if (opts.endpoint || opts.exporter) {
    const processor = opts.exporter ? new SimpleSpanProcessor(opts.exporter) : new BatchSpanProcessor(new OTLPTraceExporter({ url: opts.endpoint, headers: opts.headers ?? {} }), { scheduledDelayMillis: 500 });
    provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': opts.serviceName }), spanProcessors: [processor] });
    tracer = provider.getTracer('pillars');
  }
  const enabled = provider !== null;
  const start = (name: string, attributes?: Attributes, parent?: Context, o: { kind?: SpanKind; startTime?: number } = {}): Span =>
    tracer.startSpan(name, { attributes, kind: o.kind ?? SpanKind.INTERNAL, ...(o.startTime !== undefined ? { startTime: o.startTime } : {}) }, parent ?? ROOT_CONTEXT);
  return {
    enabled,
    start,
    async span(name, attributes, parent, fn) {
      const s = start(name, attributes, parent);
      const ctx = trace.setSpan(parent ?? ROOT_CONTEXT, s);
      try {
        return await fn(s, ctx);
      } catch (e) {
        s.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message ?? String(e) });
        throw e;
      } finally {
        s.end();
      }
    },
    extract(headers) {
      if (!enabled) return ROOT_CONTEXT;
      return propagator.extract(ROOT_CONTEXT, headers, getter);
    },
    inject(ctx) {
      const out: Record<string, string> = {};
      if (enabled) propagator.inject(ctx, out, setter);
      return out;
    },
    withSpan: (ctx, span) => trace.setSpan(ctx, span),
    async shutdown() {
      await provider?.shutdown();
    },
  };
}

/**
 * Tracing from the environment, for the CLI's eval runs and reward server: the OTLP/HTTP traces URL
 * from `PILLARS_OTLP_ENDPOINT`, else the standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else
 * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. Off when none is set.
 */
export function tracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const endpoint = env.PILLARS_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (base ? `${base}/v1/traces` : undefined);
  return createTracing({ endpoint, serviceName: env.OTEL_SERVICE_NAME || serviceName });
}

/** The parent context a command was started under (`TRACEPARENT`/`TRACESTATE`, as CI systems pass it), or the root. */
export function parentFromEnv(tracing: Tracing, env: NodeJS.ProcessEnv = process.env): Context {
  return tracing.extract({ traceparent: env.TRACEPARENT, tracestate: env.TRACESTATE });
}

/** Tracing that is off (the default everywhere). */
export const NO_TRACING: Tracing = createTracing({ serviceName: 'pillars' });

export { otelContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Context, type Span };
