/*
 * The NMEA sentences a simulated receiver prints for one epoch, in the
 * forms u-blox and MediaTek use (NMEA 4.x, "GN" talker for multi-GNSS,
 * "GP" for GPS-only MediaTek). Fields are plausible rather than exact: the
 * box reads the time, date, validity and fix quality from them.
 */
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { ecefToLla, type SkyState } from "./skyState.js";

const two = (n: number): string => String(n).padStart(2, "0");

function hhmmss(utcSecond: number): string {
  const d = new Date(utcSecond * 1000);
  return `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}.00`;
}

function ddmmyy(utcSecond: number): string {
  const d = new Date(utcSecond * 1000);
  return `${two(d.getUTCDate())}${two(d.getUTCMonth() + 1)}${two(d.getUTCFullYear() % 100)}`;
}

function latLon(sky: SkyState): string {
  const { latDeg, lonDeg } = ecefToLla(sky.antennaEcefM);
  const fmt = (deg: number, width: number, pos: string, neg: string): string => {
    const a = Math.abs(deg);
    const d = Math.floor(a);
    const m = (a - d) * 60;
    return `${String(d).padStart(width, "0")}${m.toFixed(5).padStart(8, "0")},${deg >= 0 ? pos : neg}`;
  };
  return `${fmt(latDeg, 2, "N", "S")},${fmt(lonDeg, 3, "E", "W")}`;
}

const line = (body: string): string => withChecksum(body) + "\r\n";

/** One sentence type for this epoch; GSV comes as its whole group. `talker` "GN" or "GP". */
export function nmeaSentence(type: string, talker: string, utcSecond: number, sky: SkyState): string {
  const fix = sky.fix;
  const t = hhmmss(utcSecond);
  const pos = fix ? latLon(sky) : ",,,";
  const height = fix ? ecefToLla(sky.antennaEcefM).heightM.toFixed(1) : "";
  const used = fix ? two(sky.satellites) : "00";
  switch (type) {
    case "RMC":
      return line(`$${talker}RMC,${t},${fix ? "A" : "V"},${pos},0.000,,${ddmmyy(utcSecond)},,,${fix ? "A" : "N"},V`);
    case "GGA":
      return line(`$${talker}GGA,${t},${pos},${fix ? 1 : 0},${used},${fix ? "0.80" : "99.99"},${height},M,47.4,M,,`);
    case "GSA": {
      const ids = Array.from({ length: 12 }, (_, i) => (fix && i < sky.satellites ? two(i + 1) : "")).join(",");
      return line(`$${talker}GSA,A,${fix ? 3 : 1},${ids},${fix ? "1.50,0.80,1.27" : "99.99,99.99,99.99"},1`);
    }
    case "GSV": {
      const n = sky.satellites;
      const total = Math.max(1, Math.ceil(n / 4));
      let out = "";
      for (let m = 1; m <= total; m++) {
        const blocks = Array.from({ length: Math.min(4, n - (m - 1) * 4) }, (_, j) => {
          const prn = (m - 1) * 4 + j + 1;
          return `,${two(prn)},${two(15 + ((prn * 7) % 70))},${String((prn * 47) % 360).padStart(3, "0")},${fix ? two(30 + (prn % 15)) : ""}`;
        }).join("");
        out += line(`$GPGSV,${total},${m},${two(n)}${blocks},1`);
      }
      return out;
    }
    case "GLL":
      return line(`$${talker}GLL,${pos},${t},${fix ? "A" : "V"},${fix ? "A" : "N"}`);
    case "VTG":
      return line(`$${talker}VTG,,T,,M,0.000,N,0.000,K,${fix ? "A" : "N"}`);
    case "ZDA": {
      const d = new Date(utcSecond * 1000);
      return line(`$${talker}ZDA,${t},${two(d.getUTCDate())},${two(d.getUTCMonth() + 1)},${d.getUTCFullYear()},00,00`);
    }
    case "GNS":
      return line(`$${talker}GNS,${t},${pos},${fix ? "AAN" : "NNN"},${used},0.80,${height},47.4,,,V`);
    case "GST":
      return line(`$${talker}GST,${t},12,1.2,0.9,45.0,1.1,1.0,2.3`);
    case "GRS":
      return line(`$${talker}GRS,${t},1,0.1,-0.2,0.3,,,,,,,,,,1,1`);
    case "GBS":
      return line(`$${talker}GBS,${t},1.2,0.9,2.3,,,,,1,1`);
    case "DTM":
      return line(`$${talker}DTM,W84,,0.0,N,0.0,E,0.0,W84`);
    case "PMTKCHN":
      return line(`$PMTKCHN,${Array.from({ length: 32 }, (_, i) => `${two(i + 1)}${fix ? "302" : "001"}`).join(",")}`);
    default:
      return "";
  }
}
