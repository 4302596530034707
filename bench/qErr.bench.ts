/*
 * qErr bench: what applying TIM-TP's quantisation error does to the pulse
 * samples chrony gets, on a simulated sawtooth.
 *
 * The whole service runs in the virtual box with a simulated u-blox on its
 * serial line and pulse input (sim/receivers): it identifies and configures
 * the receiver, which then cuts its pulse on its own clock's edges (M8:
 * 48 MHz, about ±10 ns; F9: 125 MHz, about ±4 ns) and announces each
 * pulse's miss in TIM-TP. The virtual host clock is exact and the kernel
 * stamps each edge to the nanosecond, so a SOCK sample's offset is the
 * sample's time error (sign reversed: error = stamp − true second).
 *
 * For each receiver two boxes run the same virtual minutes:
 *   - as shipped: TIM-TP on; the samples sent carry the correction;
 *   - TIM-TP absent: the same model without TIM-TP in its firmware, so the
 *     box's CFG-MSG for it is refused and no sample is corrected.
 * "Before" is also computed in the first box from the receiver's own record
 * of each pulse's error (what the samples would be without the correction).
 * Spread = max − min, RMS about the mean, ns, after a warm-up (the box
 * configures the receiver in its first seconds). Wrong seconds: samples whose
 * label is not the second their edge marks (must be 0).
 *
 * BENCH_QERR_SECONDS sets the measured length (default 600). A measurement,
 * not a test: exit 0 unless a second was labelled wrong.
 */
import { SimulatedUblox } from "../sim/receivers/ubloxReceiver.js";
import { NEO_M8T, type UbloxModel, ZED_F9T } from "../sim/receivers/ubloxModels.js";
import { startVirtualBox } from "../sim/virtual/virtualBox.js";

const SECONDS = Number(process.env.BENCH_QERR_SECONDS ?? 600);
const WARM_UP_S = 30;
const START_S = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;

interface Spread {
  n: number;
  spread: number;
  rms: number;
  mean: number;
}

function spreadOf(xs: readonly number[]): Spread {
  if (xs.length === 0) return { n: 0, spread: NaN, rms: NaN, mean: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { n: xs.length, spread: Math.max(...xs) - Math.min(...xs), rms: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length), mean };
}

interface Run {
  samples: number;
  wrongSeconds: number;
  /** The samples as sent to chrony, error ns. */
  sent: Spread;
  /** The same seconds' pulses as the receiver made them (no correction), ns. */
  raw: Spread;
  qErr: { applied: number; window: number; spreadBeforeNs: number; spreadAfterNs: number } | null;
  refused: string[];
}

async function run(model: UbloxModel): Promise<Run> {
  const box = startVirtualBox({ startUs: START_S * 1e6, receiver: new SimulatedUblox(model), settings: { "serial.baud": String(model.defaultBaud) } });
  await box.clock.runTo((START_S + WARM_UP_S + SECONDS + 2) * 1e6);
  const pulses = new Map(box.receiver!.pulses.map((p) => [p.utcSecond, p.pulse.errorPs / 1000]));
  const sent: number[] = [];
  const raw: number[] = [];
  let wrongSeconds = 0;
  let samples = 0;
  for (const s of box.datagrams.samples(box.cfg["pps.sock"]!)) {
    const local = s.sec + s.usec / 1e6;
    const label = Math.round(local + s.offset);
    // The host clock is exact and the errors are nanoseconds: the edge belongs to the nearest whole second.
    const edgeSecond = Math.round(local);
    if (label !== edgeSecond) wrongSeconds += 1;
    if (edgeSecond < START_S + WARM_UP_S || edgeSecond >= START_S + WARM_UP_S + SECONDS) continue;
    samples += 1;
    sent.push(-s.offset * 1e9);
    const r = pulses.get(edgeSecond);
    if (r !== undefined) raw.push(r);
  }
  const st = box.status();
  const refused = (st.gpsControl?.configuration?.problems ?? []).map((p) => `${p.step} ${p.outcome}`);
  await box.close();
  return { samples, wrongSeconds, sent: spreadOf(sent), raw: spreadOf(raw), qErr: st.pps?.qErr ?? null, refused };
}

const withoutTimTp = (m: UbloxModel): UbloxModel => ({ ...m, outputs: m.outputs.filter((o) => o !== "TIM-TP") });

const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : "-");

async function main(): Promise<void> {
  if (!Number.isInteger(SECONDS) || SECONDS < 60 || SECONDS > 86_400) throw new Error("BENCH_QERR_SECONDS: a whole number from 60 to 86400");
  console.log(`qErr bench: the service in the virtual box, ${SECONDS} s measured after ${WARM_UP_S} s of warm-up, host clock exact, kernel stamps to the ns`);
  console.log("");
  console.log("receiver | TIM-TP | samples | wrong s | spread ns | RMS ns | mean ns | status pps.qErr (applied; spread before -> after over the last window)");
  console.log("---------|--------|---------|---------|-----------|--------|---------|--------------------------------------------------------------------");
  let wrong = 0;
  for (const model of [NEO_M8T, ZED_F9T]) {
    const on = await run(model);
    const off = await run(withoutTimTp(model));
    wrong += on.wrongSeconds + off.wrongSeconds;
    const q = on.qErr ? `${on.qErr.applied}; ${f(on.qErr.spreadBeforeNs)} -> ${f(on.qErr.spreadAfterNs)} ns over ${on.qErr.window}` : "null";
    const row = (label: string, r: Run, s: Spread, status: string): string =>
      `${model.name.padEnd(8)} | ${label.padEnd(6)} | ${String(r.samples).padStart(7)} | ${String(r.wrongSeconds).padStart(7)} | ${f(s.spread).padStart(9)} | ${f(s.rms, 2).padStart(6)} | ${f(s.mean).padStart(7)} | ${status}`;
    console.log(row("on", on, on.sent, q));
    console.log(row("(raw)", on, on.raw, "the same run's pulses as made, uncorrected"));
    console.log(row("absent", off, off.sent, `${off.qErr === null ? "null" : JSON.stringify(off.qErr)}; refused: ${off.refused.join(", ") || "none"}`));
  }
  console.log("");
  console.log("notes:");
  console.log("  error = kernel stamp of the edge - the second it was labelled with (= -offset of the SOCK sample); mean: the pulse is early by");
  console.log("    gps.cable-delay (50 ns, applied by the receiver) as the simulated antenna cable has no delay.");
  console.log("  (raw): the receiver's own record of each pulse's error for the seconds measured, i.e. the samples without the correction.");
  console.log("  absent: the model without TIM-TP in its firmware: the box's CFG-MSG TIM-TP is refused (a GPS CONFIG alarm) and no qErr is applied.");
  console.log("  after the correction what remains is the qErr rounded to the ns in the sample (the stamp has ns resolution).");
  if (wrong > 0) {
    console.log(`${wrong} samples labelled with the wrong second`);
    process.exitCode = 1;
  }
}

await main();
