/**
 * A small Prometheus text-format registry for the gateway: counters and histograms with labels.
 * No global registry: each gateway owns one.
 */

type Labels = Record<string, string>;

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Labels): string => {
  const ks = Object.keys(l);
  return ks.length === 0 ? '' : `{${ks.map((k) => `${k}="${esc(l[k]!)}"`).join(',')}}`;
};

class Counter {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelText(labels);
    const v = this.values.get(k);
    if (v) v.value += by;
    else this.values.set(k, { labels, value: by });
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v.value}`);
    return lines.join('\n');
  }
}

class Histogram {
  readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  observe(labels: Labels, value: number): void {
    const k = labelText(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface GatewayMetrics {
  requests: Counter;
  requestSeconds: Histogram;
  guardSeconds: Histogram;
  upstreamErrors: Counter;
  rateLimited: Counter;
  anomalies: Counter;
  streamsCut: Counter;
  auditRejected: Counter;
  overloaded: Counter;
  render(gauges: Record<string, { help: string; value: number }>): string;
}

export function createMetrics(): GatewayMetrics {
  const requests = new Counter('pillars_gateway_requests_total', 'Requests by route, decision and tier.');
  const requestSeconds = new Histogram('pillars_gateway_request_duration_seconds', 'Time from request to last byte, by route.', SECONDS);
  const guardSeconds = new Histogram('pillars_gateway_guard_duration_seconds', 'Time of one guard check, by direction (input/output).', SECONDS);
  const upstreamErrors = new Counter('pillars_gateway_upstream_errors_total', 'Upstream failures by kind (timeout, unreachable, status).');
  const rateLimited = new Counter('pillars_gateway_rate_limited_total', 'Requests refused with 429, by tier.');
  const anomalies = new Counter('pillars_gateway_anomalies_total', 'Anomaly flags raised, by kind and tier.');
  const streamsCut = new Counter('pillars_gateway_streams_cut_total', 'Streamed responses cut off by the output check, by policy.');
  const overloaded = new Counter('pillars_gateway_overloaded_total', 'Requests refused with 503 because the gateway was at a load limit, by reason.');
  const auditRejected = new Counter('pillars_gateway_audit_rejected_total', 'Requests refused with 503 because audit records could not be written, by route.');
  return {
    requests,
    requestSeconds,
    guardSeconds,
    upstreamErrors,
    rateLimited,
    anomalies,
    streamsCut,
    auditRejected,
    overloaded,
    render(gauges) {
      const parts = [requests, requestSeconds, guardSeconds, upstreamErrors, rateLimited, anomalies, streamsCut, auditRejected, overloaded].map((m) => m.render());
      for (const [name, g] of Object.entries(gauges)) parts.push(`# HELP ${name} ${g.help}\n# TYPE ${name} gauge\n${name} ${g.value}`);
      return `${parts.join('\n')}\n`;
    },
  };
}
