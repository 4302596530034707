/*
 * MediaTek PMTK commands the box sends (MT3339: the Adafruit Ultimate GPS
 * HAT, GlobalTop PA6H). Each is an NMEA proprietary sentence
 *     $PMTKnnn,f1,f2,…*hh<CR><LF>
 * with the usual XOR checksum of everything between '$' and '*'. Layouts:
 * GlobalTop "PMTK command packet" Rev. A08 (MT3339), Quectel "L80 GPS
 * Protocol Specification" §3 (the same MediaTek command set).
 *
 *  PMTK251,baud            set the NMEA port's rate (4800 … 115200). Not
 *                          acknowledged (L80 §3.3): the answer is hearing the
 *                          receiver at the new rate.
 *  PMTK314,f0,…,f18        output rate of each sentence, in fixes (0 off, 1 every fix … 5):
 *                          0 GLL, 1 RMC, 2 VTG, 3 GGA, 4 GSA, 5 GSV, 6–16 reserved,
 *                          17 ZDA, 18 MCHN (PMTKCHN); "$PMTK314,-1" restores the default
 *  PMTK255,0|1             PPS-synchronised NMEA: the sentence burst starts after
 *                          the pulse, so the epoch's time names the pulse just given
 *  PMTK285,type,widthMs    pulse: type 0 off, 1 after the first fix, 2 3D fix only,
 *                          3 2D/3D fix only, 4 always; width in ms
 *  PMTK605                 query the release; answered by PMTK705
 * Every command but PMTK251 (and the restarts) is answered by
 * $PMTK001,cmd,flag (see pmtk001.ts).
 */
import { withChecksum } from "./sentence.js";

const sentence = (body: string): Buffer => Buffer.from(withChecksum(`$${body}`) + "\r\n", "latin1");

export const PMTK_BAUD_RATES = [4800, 9600, 14400, 19200, 38400, 57600, 115200] as const;

export function pmtk251(baud: number): Buffer {
  if (!(PMTK_BAUD_RATES as readonly number[]).includes(baud)) throw new RangeError(`PMTK251: ${baud} baud is not one MediaTek offers (${PMTK_BAUD_RATES.join(", ")})`);
  return sentence(`PMTK251,${baud}`);
}

/** PMTK314 field positions of the sentences the box may ask for. */
export const PMTK314_FIELDS = { GLL: 0, RMC: 1, VTG: 2, GGA: 3, GSA: 4, GSV: 5, ZDA: 17, MCHN: 18 } as const;
export type PmtkSentence = keyof typeof PMTK314_FIELDS;

/** Sentences not named are turned off. Rates are in fixes, 0…5. */
export function pmtk314(rates: Partial<Record<PmtkSentence, number>>): Buffer {
  const fields = new Array<number>(19).fill(0);
  for (const [name, rate] of Object.entries(rates) as [PmtkSentence, number][]) {
    if (!Number.isInteger(rate) || rate < 0 || rate > 5) throw new RangeError(`PMTK314: ${name} rate ${rate} is not 0..5`);
    fields[PMTK314_FIELDS[name]] = rate;
  }
  return sentence(`PMTK314,${fields.join(",")}`);
}

export const pmtk255 = (syncToPulse: boolean): Buffer => sentence(`PMTK255,${syncToPulse ? 1 : 0}`);

export type PpsType = "off" | "after-first-fix" | "3d-fix" | "2d-3d-fix" | "always";
const PPS_TYPES: readonly PpsType[] = ["off", "after-first-fix", "3d-fix", "2d-3d-fix", "always"];
export const ppsTypeCode = (t: PpsType): number => PPS_TYPES.indexOf(t);
export const ppsTypeName = (code: number): PpsType | undefined => PPS_TYPES[code];

export function pmtk285(type: PpsType, widthMs: number): Buffer {
  if (!Number.isInteger(widthMs) || widthMs < 1 || widthMs > 999) throw new RangeError(`PMTK285: pulse width ${widthMs} ms is not 1..999`);
  return sentence(`PMTK285,${ppsTypeCode(type)},${widthMs}`);
}

export const pmtk605 = (): Buffer => sentence("PMTK605");
