/*
 * UBX-TIM-TP (0x0D 0x01), 16 bytes: the time of the *next* time pulse and
 * its quantisation error (UBX-13003221 "UBX-TIM-TP Time Pulse Timedata"):
 *   0 towMS U4 ms | 4 towSubMS U4 2^-32 ms | 8 qErr I4 ps | 12 week U2
 *  14 flags X1: bit 0 timeBase (0 GNSS, 1 UTC), bit 1 utc (UTC available),
 *               bits 2–3 raim (0 n/a, 1 not active, 2 active), bit 4 qErrInvalid
 *  15 refInfo X1: bits 0–3 timeRefGnss, bits 4–7 utcStandard
 * The receiver makes the pulse on its own clock edge, up to half a clock
 * period (≈10 ns on M8) from the true second; qErr says by how much, for
 * the pulse this message announces. It arrives shortly *after* the current
 * pulse and describes the following one, so it must be paired to an edge by
 * its time of week, never by arrival order.
 */
import { decoded, rejected, type Decoded } from "../report.js";

export function decodeTimTp(p: Buffer): Decoded {
  if (p.length !== 16) return rejected("ubx-bad-payload", `UBX-TIM-TP payload ${p.length} bytes, expected 16`);
  const flags = p.readUInt8(14);
  return decoded({
    source: "UBX-TIM-TP",
    timePulse: {
      towMs: p.readUInt32LE(0),
      towSubMs: p.readUInt32LE(4) / 2 ** 32,
      qErrPs: (flags & 0x10) !== 0 ? undefined : p.readInt32LE(8),
      week: p.readUInt16LE(12),
      timeBase: (flags & 1) !== 0 ? "utc" : "gnss",
      utcAvailable: (flags & 2) !== 0,
      raim: ((flags >> 2) & 3) as 0 | 1 | 2 | 3,
    },
  });
}

const GPS_EPOCH_S = 315_964_800;
const WEEK_S = 604_800;

/**
 * The UTC second (Unix time) of the pulse a TIM-TP announces: the key that
 * pairs it with the kernel's edge of that second. With the UTC time base the
 * week and time of week already count UTC; with a GNSS (GPS) time base the
 * leap seconds must be taken off (GPS assumed: the box puts the pulse on
 * the UTC grid, so this only matters for receivers configured by hand),
 * and without them there is no answer.
 * Undefined too when the announced time is not on a whole second (a pulse
 * of another period, or a receiver not yet aligned).
 */
export function timePulseUtcSecond(tp: { towMs: number; towSubMs: number; week: number; timeBase: "gnss" | "utc" }, leapSeconds: number | undefined): number | undefined {
  if (tp.towMs % 1000 !== 0 || tp.towSubMs !== 0) return undefined;
  const second = GPS_EPOCH_S + tp.week * WEEK_S + tp.towMs / 1000;
  if (tp.timeBase === "utc") return second;
  return leapSeconds === undefined ? undefined : second - leapSeconds;
}
