/* The product's pipeline driven without hardware: bytes in, verdicts and samples out. */
import { Health } from "../../src/status/health.js";
import { TimePipeline, type PipelineOptions } from "../../src/pipeline/timePipeline.js";
import { createLogger } from "../../src/log/logger.js";
import type { RefclockSink } from "../../src/refclock/sink.js";
import type { SinkStatus } from "../../src/status/contract.js";
import type { TimeSample } from "../../src/timing/sample.js";
import type { GateVerdict } from "../../src/timing/timeGate.js";

export class CollectingSink implements RefclockSink {
  readonly name = "collect";
  readonly samples: TimeSample[] = [];
  deliver(s: TimeSample): void {
    this.samples.push(s);
  }
  status(): SinkStatus {
    return { state: "ok", reason: null, delivered: this.samples.length, failed: 0 };
  }
  close(): void {}
}

export function offlinePipeline(floor = "2010-01-01", settleEpochs = 3, nowUs: () => number = () => Date.now() * 1000, more: Partial<PipelineOptions> = {}) {
  const health = new Health();
  const sink = new CollectingSink();
  const logLines: string[] = [];
  const verdicts: GateVerdict[] = [];
  const pipeline = new TimePipeline(
    health,
    [sink],
    createLogger((l) => logLines.push(l), "debug"),
    {
      floorS: Date.parse(floor + "T00:00:00Z") / 1000,
      settleEpochs,
      nowUs,
      ...more,
    },
  );
  pipeline.verdictListeners.push((v) => verdicts.push(v));
  return { health, sink, logLines, verdicts, pipeline };
}
