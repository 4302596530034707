/*
 * Payloads of the UBX messages a simulated receiver sends, written from the
 * layouts in UBX-13003221 and the Gen9 interface descriptions (the same
 * ones the product's decoders cite: the decoders read what this writes, and
 * the real captures in test/unit/receiverDecode.test.ts keep both honest).
 */
import type { SurveyInReport } from "../../src/gnss/receiverReports.js";
import { ecefToLla, gpsWeekTow, QUIET_RF, type RfEnvironment, type SkyState } from "./skyState.js";

export interface EpochFacts {
  utcSecond: number;
  sky: SkyState;
  /** NAV fixType: 0 none, 3 3D, 5 time only (a timing receiver holding a position). */
  fixType: number;
}

export function navPvt(e: EpochFacts): Buffer {
  const p = Buffer.alloc(92);
  const { towMs } = gpsWeekTow(e.utcSecond, e.sky.leapSeconds);
  const d = new Date(e.utcSecond * 1000);
  p.writeUInt32LE(towMs, 0);
  p.writeUInt16LE(d.getUTCFullYear(), 4);
  p.writeUInt8(d.getUTCMonth() + 1, 6);
  p.writeUInt8(d.getUTCDate(), 7);
  p.writeUInt8(d.getUTCHours(), 8);
  p.writeUInt8(d.getUTCMinutes(), 9);
  p.writeUInt8(d.getUTCSeconds(), 10);
  // validDate | validTime | fullyResolved only with a fix and a known leap count.
  p.writeUInt8(e.sky.fix && e.sky.utcValid ? 0b111 : 0, 11);
  p.writeUInt32LE(e.sky.fix ? 20 : 0xffffffff, 12);
  p.writeInt32LE(0, 16);
  p.writeUInt8(e.fixType, 20);
  p.writeUInt8(e.fixType > 0 ? 0x01 : 0, 21);
  p.writeUInt8(e.sky.fix ? e.sky.satellites : 0, 23);
  const lla = ecefToLla(e.sky.antennaEcefM);
  p.writeInt32LE(Math.round(lla.lonDeg * 1e7), 24);
  p.writeInt32LE(Math.round(lla.latDeg * 1e7), 28);
  p.writeInt32LE(Math.round(lla.heightM * 1000), 32);
  p.writeInt32LE(Math.round((lla.heightM - 47.4) * 1000), 36);
  p.writeUInt16LE(e.sky.fix ? 150 : 9999, 76);
  return p;
}

const SPOOF_DET_STATE = { none: 1, indicated: 2, multiple: 3 } as const;

export function navStatus(e: EpochFacts): Buffer {
  const p = Buffer.alloc(16);
  p.writeUInt32LE(gpsWeekTow(e.utcSecond, e.sky.leapSeconds).towMs, 0);
  p.writeUInt8(e.fixType, 4);
  p.writeUInt8((e.fixType > 0 ? 0x01 : 0) | 0x0c, 5);
  p.writeUInt8(SPOOF_DET_STATE[(e.sky.rf ?? QUIET_RF).spoofing] << 3, 7);
  return p;
}

export function navTimeLs(e: EpochFacts): Buffer {
  const p = Buffer.alloc(24);
  p.writeUInt32LE(gpsWeekTow(e.utcSecond, e.sky.leapSeconds).towMs, 0);
  p.writeUInt8(e.sky.utcValid ? 2 : 0, 8); // GPS, or the firmware default
  p.writeInt8(e.sky.leapSeconds, 9);
  const a = e.sky.leapAnnouncement;
  let valid = e.sky.utcValid ? 1 : 0;
  if (a && e.sky.utcValid) {
    // The event is at the end of the UTC day that contains atUtcSecond.
    const end = Math.floor(a.atUtcSecond / 86_400) * 86_400 + 86_400;
    const ev = gpsWeekTow(end, e.sky.leapSeconds);
    p.writeUInt8(2, 10);
    p.writeInt8(a.change, 11);
    p.writeInt32LE(end - (e.utcSecond + 1), 12);
    p.writeUInt16LE(ev.week, 16);
    p.writeUInt16LE(Math.floor(ev.towMs / 86_400_000) + 1, 18);
    valid |= 2;
  }
  p.writeUInt8(valid, 23);
  return p;
}

export function navSat(e: EpochFacts): Buffer {
  const n = e.sky.satellites;
  const p = Buffer.alloc(8 + 12 * n);
  p.writeUInt32LE(gpsWeekTow(e.utcSecond, e.sky.leapSeconds).towMs, 0);
  p.writeUInt8(1, 4);
  p.writeUInt8(n, 5);
  for (let i = 0; i < n; i++) {
    const at = 8 + 12 * i;
    p.writeUInt8(i % 3 === 2 ? 6 : 0, at); // GPS and GLONASS
    p.writeUInt8(i + 1, at + 1);
    p.writeUInt8(e.sky.fix ? 30 + (i % 15) : 0, at + 2);
    p.writeInt8(15 + ((i * 7) % 70), at + 3);
    p.writeInt16LE((i * 47) % 360, at + 4);
    p.writeUInt32LE(e.sky.fix ? 0x0f : 0x01, at + 8); // quality 7 and svUsed with a fix
  }
  return p;
}

/** TIM-TP for the pulse at nextUtcSecond, on the UTC grid; qErr in ps. */
export function timTp(nextUtcSecond: number, sky: SkyState, qErrPs: number): Buffer {
  const p = Buffer.alloc(16);
  // UTC time base: the week and time of week of UTC, which runs leapSeconds behind GPS.
  const { week, towMs } = gpsWeekTow(nextUtcSecond, 0);
  p.writeUInt32LE(towMs, 0);
  p.writeUInt32LE(0, 4);
  p.writeInt32LE(qErrPs, 8);
  p.writeUInt16LE(week, 12);
  p.writeUInt8(0x01 | (sky.utcValid ? 0x02 : 0) | (1 << 2) | (sky.fix ? 0 : 0x10), 14);
  p.writeUInt8(0x0f, 15);
  return p;
}

export function timSvin(s: SurveyInReport): Buffer {
  const p = Buffer.alloc(28);
  p.writeUInt32LE(s.durationS, 0);
  p.writeInt32LE(Math.round(s.ecefM.x * 100), 4);
  p.writeInt32LE(Math.round(s.ecefM.y * 100), 8);
  p.writeInt32LE(Math.round(s.ecefM.z * 100), 12);
  p.writeUInt32LE(Math.round((s.accuracyM * 1000) ** 2), 16);
  p.writeUInt32LE(s.observations, 20);
  p.writeUInt8(s.valid ? 1 : 0, 24);
  p.writeUInt8(s.active ? 1 : 0, 25);
  return p;
}

export function navSvin(utcSecond: number, sky: SkyState, s: SurveyInReport): Buffer {
  const p = Buffer.alloc(40);
  p.writeUInt32LE(gpsWeekTow(utcSecond, sky.leapSeconds).towMs, 4);
  p.writeUInt32LE(s.durationS, 8);
  const put = (m: number, at: number, hpAt: number): void => {
    const tenths = Math.round(m * 10_000);
    const cm = Math.trunc(tenths / 100);
    p.writeInt32LE(cm, at);
    p.writeInt8(tenths - cm * 100, hpAt);
  };
  put(s.ecefM.x, 12, 24);
  put(s.ecefM.y, 16, 25);
  put(s.ecefM.z, 20, 26);
  p.writeUInt32LE(Math.round(s.accuracyM * 10_000), 28);
  p.writeUInt32LE(s.observations, 32);
  p.writeUInt8(s.valid ? 1 : 0, 36);
  p.writeUInt8(s.active ? 1 : 0, 37);
  return p;
}

const field = (s: string, len: number): Buffer => {
  const b = Buffer.alloc(len);
  b.write(s.slice(0, len - 1), "latin1");
  return b;
};

export function monVer(sw: string, hw: string, extensions: readonly string[]): Buffer {
  return Buffer.concat([field(sw, 30), field(hw, 10), ...extensions.map((x) => field(x, 30))]);
}

const JAMMING_STATE = { ok: 1, warning: 2, critical: 3 } as const;
const ANTENNA_STATUS = { ok: 2, short: 3, open: 4 } as const;

export function monHw(rf: RfEnvironment): Buffer {
  const p = Buffer.alloc(60);
  p.writeUInt16LE(80, 16);
  p.writeUInt16LE(4200, 18);
  p.writeUInt8(ANTENNA_STATUS[rf.antenna], 20);
  p.writeUInt8(1, 21); // aPower ON
  p.writeUInt8(JAMMING_STATE[rf.jamming] << 2, 22);
  p.writeUInt8(rf.jamInd, 45);
  return p;
}

export function monRf(rf: RfEnvironment): Buffer {
  const p = Buffer.alloc(4 + 24);
  p.writeUInt8(0, 0);
  p.writeUInt8(1, 1);
  p.writeUInt8(0, 4);
  p.writeUInt8(JAMMING_STATE[rf.jamming], 5);
  p.writeUInt8(ANTENNA_STATUS[rf.antenna], 6);
  p.writeUInt8(1, 7); // antPower ON
  p.writeUInt16LE(80, 4 + 12);
  p.writeUInt16LE(4200, 4 + 14);
  p.writeUInt8(rf.jamInd, 4 + 16);
  return p;
}
