/*
 * The metric families rendered in Prometheus's text exposition format by
 * prom-client, at scrape time: each family's series are replaced by what its
 * source says now (a counter's value is the snapshot's running count, so it
 * is reset and set rather than incremented: prom-client has no set() for
 * counters). Between scrapes nothing is computed.
 */
import type { Counter as CounterType, Gauge as GaugeType, Registry as RegistryType } from "prom-client";
// The parts alone, not the index (promClientParts.d.ts says why).
import Counter from "prom-client/lib/counter.js";
import Gauge from "prom-client/lib/gauge.js";
import Registry from "prom-client/lib/registry.js";
import type { StatusSnapshot } from "../status/contract.js";
import { PROCESS_METRICS, readProcessFigures, type ProcessFigures } from "./processMetrics.js";
import { SNAPSHOT_METRICS, type MetricFamily } from "./snapshotMetrics.js";

interface Bound<T> {
  family: MetricFamily<T>;
  metric: GaugeType<string> | CounterType<string>;
}

function bind<T>(registry: RegistryType, family: MetricFamily<T>): Bound<T> {
  const config = { name: family.name, help: family.help, labelNames: family.labels, registers: [registry] };
  return { family, metric: family.type === "counter" ? new Counter(config) : new Gauge(config) };
}

/** Without a series for an absent part: prom-client would otherwise keep a label-less metric at 0. */
function clear<T>(b: Bound<T>): void {
  b.metric.reset();
  if (b.family.labels.length === 0) b.metric.remove({});
}

function fill<T>(b: Bound<T>, from: T): void {
  clear(b);
  for (const [labels, value] of b.family.read(from)) {
    if (b.metric instanceof Counter) b.metric.inc(labels, Math.max(0, value));
    else b.metric.set(labels, value);
  }
}

export class Exposition {
  private readonly registry = new Registry();
  private readonly snapshotFamilies: Bound<StatusSnapshot>[];
  private readonly processFamilies: Bound<ProcessFigures>[];

  constructor(
    snapshotFamilies: readonly MetricFamily<StatusSnapshot>[] = SNAPSHOT_METRICS,
    private readonly processFigures: () => ProcessFigures = readProcessFigures,
  ) {
    this.snapshotFamilies = snapshotFamilies.map((f) => bind(this.registry, f));
    this.processFamilies = PROCESS_METRICS.map((f) => bind(this.registry, f));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition of this snapshot; before the first one (the service's first second) only the process's figures. */
  async render(s: StatusSnapshot | undefined): Promise<string> {
    for (const b of this.snapshotFamilies) {
      if (s) fill(b, s);
      else clear(b);
    }
    const p = this.processFigures();
    for (const b of this.processFamilies) fill(b, p);
    return this.registry.metrics();
  }
}
