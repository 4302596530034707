/*
 * The service process's own cost, under the names every Prometheus client
 * library gives them (process_cpu_seconds_total, process_resident_memory_bytes),
 * so that the footprint the bench measures can be watched on a box in the
 * field. Read at scrape time only; nothing runs between scrapes (prom-client's
 * default metrics would keep an event-loop-delay timer and a GC observer
 * running all the time).
 */
import type { MetricFamily, Sample } from "./snapshotMetrics.js";

export interface ProcessFigures {
  /** User plus system CPU time since the process started, seconds. */
  cpuSeconds: number;
  residentBytes: number;
}

export const readProcessFigures = (): ProcessFigures => {
  const cpu = process.cpuUsage();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, residentBytes: process.memoryUsage.rss() };
};

const one = (v: number): readonly Sample[] => [[{}, v]];

export const PROCESS_METRICS: readonly MetricFamily<ProcessFigures>[] = [
  { name: "process_cpu_seconds_total", type: "counter", help: "User and system CPU time spent by the service, seconds.", labels: [], read: (p) => one(p.cpuSeconds) },
  { name: "process_resident_memory_bytes", type: "gauge", help: "The service's resident memory size, bytes.", labels: [], read: (p) => one(p.residentBytes) },
];
