/*
 * The sky table, sampled. A receiver that lists its satellites (GSV) with
 * every fix has them decoded in one run of GSV every SKY_SAMPLE_US, as if it
 * sent them every fifth fix, which is what receiver control asks of the
 * receivers it can configure (a MediaTek's PMTK314). GSV is seven of a
 * u-blox's fifteen sentences a second, and decoding them, collecting their
 * groups and making the table cost the service nearly a tenth of its CPU,
 * for a table that changes over minutes. The GSV in between are still
 * checksummed and counted, and receiver control sees them (it checks the
 * output it configured); their fields are not read, so a malformed one there
 * is noticed only when a sampled second has one too. Each still reaches the
 * epoch as an empty report, so epochs have the shape they had when every GSV
 * was decoded (timePipeline.ts, unsampledGsv). The sky's age is in the
 * status (sky.updatedAt), and a constellation stays in the table for 10 s
 * after it was last listed (timePipeline.ts), two samples.
 */
import { QUIET_GAP_US } from "./epochAssembler.js";
import { isUpperOrDigit } from "./nmea/digits.js";

export const SKY_SAMPLE_US = 5_000_000;
/** A receiver's burst at one fix a second is shorter than this. */
const MAX_RUN_US = 1_000_000;

/** "$ttGSV," with a talker of capitals or digits (as splitSentence wants an address): by character codes, as every NMEA frame is asked. */
export function isGsv(text: string): boolean {
  return (
    text.charCodeAt(0) === 0x24 &&
    isUpperOrDigit(text.charCodeAt(1)) &&
    isUpperOrDigit(text.charCodeAt(2)) &&
    text.charCodeAt(3) === 0x47 &&
    text.charCodeAt(4) === 0x53 &&
    text.charCodeAt(5) === 0x56 &&
    text.charCodeAt(6) === 0x2c
  );
}

export class SkySampler {
  private sampling = false;
  private lastUs = Number.NEGATIVE_INFINITY;
  private runStartUs = Number.NEGATIVE_INFINITY;
  private sampledUs = Number.NEGATIVE_INFINITY;

  /** everyUs 0: every GSV is decoded. */
  constructor(private readonly everyUs: number) {}

  /**
   * Whether the GSV read at rxUs is decoded. GSV closer together than the epoch's quiet gap are one run
   * (one burst's groups, several constellations and signals), decoded or passed whole, so no group is cut.
   */
  wants(rxUs: number): boolean {
    if (this.everyUs <= 0) return true;
    // A new run; a clock stepped back starts one too, and is sampled. A run longer than a burst (a line
    // so busy that bursts run into each other) is decided afresh each second, so it is never passed for good.
    if (rxUs - this.lastUs > QUIET_GAP_US || rxUs < this.lastUs || rxUs - this.runStartUs >= MAX_RUN_US) {
      this.runStartUs = rxUs;
      // Less a run's gap, so bursts a second apart with some jitter are sampled every fifth, not sixth.
      this.sampling = rxUs - this.sampledUs >= this.everyUs - QUIET_GAP_US || rxUs < this.sampledUs;
      if (this.sampling) this.sampledUs = rxUs;
    }
    this.lastUs = rxUs;
    return this.sampling;
  }

  /** The next run is sampled (a reopened port may hold another receiver). */
  reset(): void {
    this.lastUs = Number.NEGATIVE_INFINITY;
    this.runStartUs = Number.NEGATIVE_INFINITY;
    this.sampledUs = Number.NEGATIVE_INFINITY;
  }
}
