/*
 * What the status says of leap seconds: the one ahead (as the receiver
 * announces it, else as the list has it within the month, so a box with an
 * NMEA-only receiver tells of it too), and whether the leap second list on
 * disk is current and agrees with the receiver.
 */
import type { LeapStatus } from "../status/contract.js";
import type { LeapListFile } from "./leapListFile.js";
import { gpsMinusUtcAt, listsLeapAt, nextLeapWithin } from "./leapSecondList.js";
import type { LeapWatch } from "./leapWatch.js";

const MONTH_S = 31 * 86_400;
const day = (s: number): string => new Date(s * 1000).toISOString().slice(0, 10);

export function leapStatus(watch: LeapWatch, file: LeapListFile | undefined, nowS: number): LeapStatus {
  const pending = watch.pending(nowS);
  const gpsMinusUtc = watch.gpsMinusUtcS ?? null;
  let list: LeapStatus["list"] = null;
  if (file) {
    const l = file.list;
    let disagreement: string | null = null;
    if (l && pending && pending.dayEndS <= l.expiresS && !listsLeapAt(l, pending.dayEndS)) {
      disagreement = `the receiver announces a leap second at the end of ${day(pending.dayEndS - 1)}, which the list (valid until ${day(l.expiresS)}) does not have`;
    } else if (l && gpsMinusUtc !== null && gpsMinusUtcAt(l, nowS) !== gpsMinusUtc) {
      disagreement = `the receiver counts GPS − UTC = ${gpsMinusUtc} s, the list ${gpsMinusUtcAt(l, nowS)} s`;
    }
    list = {
      path: file.path,
      expires: l ? new Date(l.expiresS * 1000).toISOString() : null,
      expired: l ? nowS > l.expiresS : false,
      problem: file.problem,
      disagreement,
    };
  }
  const listed = !pending && file?.list ? nextLeapWithin(file.list, nowS, MONTH_S) : undefined;
  return {
    pending: pending
      ? { kind: pending.kind, day: day(pending.dayEndS - 1), by: "receiver", source: pending.source }
      : listed
        ? { kind: listed.kind, day: day(listed.dayEndS - 1), by: "list", source: file!.path }
        : null,
    receiverGpsMinusUtcS: gpsMinusUtc,
    list,
  };
}

/**
 * leapStatus, worked out again only when what it reads changes: the receiver's announcement or
 * count, the list (reloaded as a new object) or its problem, the list's expiry, or the day. Every
 * date it compares lies on a day's end (leap seconds, the month ahead), and the status asks every second.
 */
export class LeapStatusCache {
  private key: readonly unknown[] = [];
  private value: LeapStatus | undefined;

  get(watch: LeapWatch, file: LeapListFile | undefined, nowS: number): LeapStatus {
    const l = file?.list;
    const key = [watch.pending(nowS), watch.gpsMinusUtcS, file, l, file?.problem, l ? nowS > l.expiresS : false, Math.floor(nowS / 86_400)];
    if (this.value && key.every((k, i) => k === this.key[i])) return this.value;
    this.key = key;
    this.value = leapStatus(watch, file, nowS);
    return this.value;
  }
}
