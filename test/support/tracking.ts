/* chrony's tracking report of a box locked to its PPS, as the cmdmon client returns it; tests override what their story changes. */
import type { CmdmonTracking } from "../../src/chrony/cmdmon/views.js";
import { instantFromUs } from "../../src/hal/instant.js";

export function lockedTracking(nowUs: number, overrides: Partial<CmdmonTracking> = {}): CmdmonTracking {
  return {
    refId: "50505300",
    refName: "PPS",
    stratum: 1,
    leap: "normal",
    systemOffsetS: 1e-7,
    lastOffsetS: 0,
    rmsOffsetS: 0,
    frequencyPpm: 0,
    skewPpm: 0,
    rootDelayS: 0,
    rootDispersionS: 1e-5,
    refTime: instantFromUs(nowUs - 2e6),
    residualFrequencyPpm: 0,
    updateIntervalS: 4,
    ...overrides,
  };
}
