/*
 * prom-client's registry, gauge and counter, loaded without its index: the
 * index also loads the default metrics (with @opentelemetry/api), the push
 * gateway (https, zlib), histograms and summaries, 12 MB of resident memory
 * against 0.7 MB for these three, on a box whose whole budget is 50 MB. The
 * classes are the index's own, so they carry its types.
 */
declare module "prom-client/lib/registry.js" {
  import type { Registry } from "prom-client";
  const RegistryClass: typeof Registry;
  export default RegistryClass;
}

declare module "prom-client/lib/gauge.js" {
  import type { Gauge } from "prom-client";
  const GaugeClass: typeof Gauge;
  export default GaugeClass;
}

declare module "prom-client/lib/counter.js" {
  import type { Counter } from "prom-client";
  const CounterClass: typeof Counter;
  export default CounterClass;
}
