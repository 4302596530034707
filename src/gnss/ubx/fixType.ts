import type { FixMode } from "../report.js";

/** UBX gpsFix / fixType: 0 none, 1 dead reckoning, 2 2D, 3 3D, 4 GNSS+DR, 5 time only (surveyed-in timing receivers). */
export function ubxFixMode(fixType: number, fixOk: boolean): FixMode {
  if (!fixOk) return "none";
  switch (fixType) {
    case 1:
      return "dead-reckoning";
    case 2:
      return "2d";
    case 3:
    case 4:
      return "3d";
    case 5:
      return "time-only";
    default:
      return "none";
  }
}
