/*
 * A scenario: a timed capture and, beside it, what a correct appliance does
 * with it (NAME.cap.gz + NAME.expect.json in test/hil/scenarios/). The
 * expectations are written by a person from what the capture contains, never
 * generated from a run: they are the judgement.
 *
 * NAME.expect.json:
 *   title, story       what happens in the capture, in a sentence or two
 *   clock              "shift": the capture is moved to the current seconds
 *                      (its words rewritten); "capture": the box runs at the
 *                      capture's own dates (chronyd and stratum1d under
 *                      libfaketime), for captures whose dates are the point
 *                      (rollovers, a leap second). Default "shift".
 *   service            stratum1d settings for the run (key: value)
 *   chrony             extra chrony.conf lines (e.g. leapsectz right/UTC)
 *   expect:
 *     ppsSamples, nmeaSamples   [min, max] raw samples chrony logged (max may be null)
 *     log                regexes the service's log must match, in this order
 *     logNever           regexes no log line may match
 *     logCounts          {regex: [min, max]} how many log lines match (e.g. an outage logged once)
 *     alarms             alarm ids raised at some point
 *     alarmsAtEnd        the alarm ids active at the end, exactly
 *     lcd                texts the LCD showed, in this order (rows joined by " | ";
 *                        glyphs as ¤ satellite, ✓ lock, Ψ antenna, ! warning)
 *     gate, ppsRefused, framing, ppsCounts   {name: [min, max]} counts from the
 *                        status (refusals by reason; pulses: edges, labelled,
 *                        labelledByCount, missedEdges, spuriousEdges)
 *     selected           the refid chrony has selected at the end
 * Whatever the expectations, any wrong second fails the run.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCaptureFile } from "../../src/capture/captureFile.js";
import type { Capture } from "../../src/capture/captureFormat.js";

export type Range = [number, number | null];

export interface Expectations {
  ppsSamples?: Range;
  nmeaSamples?: Range;
  log?: string[];
  logNever?: string[];
  logCounts?: Record<string, Range>;
  alarms?: string[];
  alarmsAtEnd?: string[];
  lcd?: string[];
  gate?: Record<string, Range>;
  ppsRefused?: Record<string, Range>;
  framing?: Record<string, Range>;
  ppsCounts?: Record<string, Range>;
  selected?: string;
}

export interface ScenarioSpec {
  title: string;
  story: string;
  clock?: "shift" | "capture";
  service?: Record<string, string>;
  chrony?: string[];
  expect: Expectations;
}

export interface Scenario extends ScenarioSpec {
  name: string;
  capturePath: string;
  capture: Capture;
}

export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "test", "hil", "scenarios");

/** A scenario by name (from the library) or by the path of its capture or expectation file. */
export function loadScenario(nameOrPath: string): Scenario {
  const base = nameOrPath.replace(/\.(expect\.json|cap\.gz|cap)$/, "");
  const dir = base.includes("/") ? dirname(base) : SCENARIO_DIR;
  const name = basename(base);
  const expectPath = join(dir, `${name}.expect.json`);
  const capturePath = [join(dir, `${name}.cap.gz`), join(dir, `${name}.cap`)].find(existsSync);
  if (!capturePath) throw new Error(`no capture ${name}.cap.gz or ${name}.cap in ${dir}`);
  if (!existsSync(expectPath)) throw new Error(`no expectations ${expectPath}`);
  const spec = JSON.parse(readFileSync(expectPath, "utf8")) as ScenarioSpec;
  return { ...spec, name, capturePath, capture: readCaptureFile(capturePath) };
}

/** A bare capture (a field recording) judged only on what every run must hold: no wrong second. */
export function bareScenario(capturePath: string): Scenario {
  return { name: basename(capturePath).replace(/\.(cap\.gz|cap)$/, ""), title: "replay of a capture", story: "", capturePath, capture: readCaptureFile(capturePath), expect: {} };
}
