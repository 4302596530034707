/*
 * A MediaTek MT3339 (Adafruit Ultimate GPS HAT, GlobalTop PA6H) at the byte
 * level: NMEA out (GPS talker, GGA first), PMTK commands in, each answered
 * by PMTK001 as the GlobalTop/Quectel documents describe — except PMTK251
 * (rate) and the restarts, which are not acknowledged (L80 spec §3.3).
 * Settings live in battery-backed RAM: a hot/warm/cold restart keeps them,
 * a full cold start (PMTK104) and a power cycle without the coin cell
 * restore the factory defaults, rate included.
 * Assumed (not from a document): the factory sentence set (RMC, VTG, GGA,
 * GSA, GSV every fix, as the HAT ships) and the factory pulse (after the
 * first fix, 100 ms).
 */
import { Framer } from "../../src/gnss/framer.js";
import type { Frame } from "../../src/gnss/frame.js";
import { PMTK314_FIELDS, PMTK_BAUD_RATES, ppsTypeName, type PmtkSentence, type PpsType } from "../../src/gnss/nmea/pmtkCommands.js";
import { splitSentence, withChecksum } from "../../src/gnss/nmea/sentence.js";
import { nmeaSentence } from "./nmeaSentences.js";
import type { PulseOutput, SimulatedReceiver, Transmission } from "./simulatedReceiver.js";
import type { SkyState } from "./skyState.js";

interface MtkSettings {
  baud: number;
  rates: number[];
  ppsType: PpsType;
  ppsWidthMs: number;
  syncNmeaToPps: boolean;
}

const factory = (): MtkSettings => {
  const rates = new Array<number>(19).fill(0);
  for (const n of ["RMC", "VTG", "GGA", "GSA", "GSV"] as PmtkSentence[]) rates[PMTK314_FIELDS[n]] = 1;
  return { baud: 9600, rates, ppsType: "after-first-fix", ppsWidthMs: 100, syncNmeaToPps: false };
};

/** MediaTek's epoch order: GGA first (the epoch assembler expects it). */
const ORDER: PmtkSentence[] = ["GGA", "GSA", "GSV", "RMC", "VTG", "GLL", "ZDA", "MCHN"];

export interface MediatekOptions {
  /** A coin cell keeps the settings through power cycles (the HAT has a holder). */
  backupBattery?: boolean;
}

export class SimulatedMediatek implements SimulatedReceiver {
  private settings = factory();
  private readonly framer: Framer;
  private inbox: Frame[] = [];
  private epochCount = 0;
  private everFixed = false;
  private readonly battery: boolean;
  readonly counts = { acks: 0, refused: 0, ignored: 0 };

  constructor(o: MediatekOptions = {}) {
    this.battery = o.backupBattery ?? true;
    this.framer = new Framer({ frame: (f) => this.inbox.push(f), reject: () => undefined });
  }

  get baud(): number {
    return this.settings.baud;
  }

  /** Output rate of a PMTK314 sentence now (in fixes; 0 off). */
  outputRate(n: PmtkSentence): number {
    return this.settings.rates[PMTK314_FIELDS[n]] ?? 0;
  }

  ppsConfig(): { type: PpsType; widthMs: number; syncNmeaToPps: boolean } {
    return { type: this.settings.ppsType, widthMs: this.settings.ppsWidthMs, syncNmeaToPps: this.settings.syncNmeaToPps };
  }

  write(bytes: Buffer): Transmission[] {
    this.framer.push(bytes, 0);
    const out: Transmission[] = [];
    for (const f of this.inbox.splice(0)) {
      if (f.kind !== "nmea") {
        this.counts.ignored += 1; // UBX is noise to a MediaTek
        continue;
      }
      const reply = this.command(f.text);
      if (reply) out.push({ bytes: Buffer.from(reply, "latin1"), baud: this.settings.baud });
    }
    return out;
  }

  private ack(cmd: string, flag: number): string {
    if (flag === 3) this.counts.acks += 1;
    else this.counts.refused += 1;
    return withChecksum(`$PMTK001,${Number(cmd)},${flag}`) + "\r\n";
  }

  private command(text: string): string | undefined {
    const s = splitSentence(text);
    if (!s.ok || s.sentence.talker !== "P" || !s.sentence.type.startsWith("MTK")) return undefined;
    const cmd = s.sentence.type.slice(3);
    const f = s.sentence.fields;
    switch (cmd) {
      case "251": {
        const baud = Number(f[0]);
        if ((PMTK_BAUD_RATES as readonly number[]).includes(baud)) this.settings.baud = baud;
        return undefined; // no PMTK001 for a rate change
      }
      case "314": {
        if (f.length === 1 && f[0] === "-1") {
          this.settings.rates = factory().rates;
          return this.ack(cmd, 3);
        }
        if (f.length !== 19 || !f.every((x) => /^[0-5]$/.test(x))) return this.ack(cmd, 0);
        this.settings.rates = f.map(Number);
        return this.ack(cmd, 3);
      }
      case "255":
        if (f[0] !== "0" && f[0] !== "1") return this.ack(cmd, 0);
        this.settings.syncNmeaToPps = f[0] === "1";
        return this.ack(cmd, 3);
      case "285": {
        const type = ppsTypeName(Number(f[0]));
        const width = Number(f[1]);
        if (!type || !Number.isInteger(width) || width < 1 || width > 999) return this.ack(cmd, 0);
        this.settings.ppsType = type;
        this.settings.ppsWidthMs = width;
        return this.ack(cmd, 3);
      }
      case "605":
        return withChecksum("$PMTK705,AXN_2.31_3339_13101700,5632,PA6H,1.0") + "\r\n";
      case "101":
      case "102":
      case "103":
        this.epochCount = 0;
        return undefined;
      case "104":
        this.settings = factory();
        this.epochCount = 0;
        return undefined;
      default:
        return this.ack(cmd, 1);
    }
  }

  powerCycle(): Transmission[] {
    if (!this.battery) this.settings = factory();
    this.epochCount = 0;
    this.everFixed = false;
    this.inbox = [];
    return [{ bytes: Buffer.from(withChecksum("$PMTK011,MTKGPS") + "\r\n" + withChecksum("$PMTK010,001") + "\r\n", "latin1"), baud: this.settings.baud }];
  }

  pulse(utcSecond: number, sky: SkyState): PulseOutput | undefined {
    if (sky.fix) this.everFixed = true;
    const t = this.settings.ppsType;
    const give = t === "always" || (t === "after-first-fix" && this.everFixed) || ((t === "3d-fix" || t === "2d-3d-fix") && sky.fix);
    if (!give) return undefined;
    // No qErr from MediaTek: a few ns of jitter when locked, drift when not.
    const errorPs = sky.fix ? ((utcSecond * 7_919) % 20_000) - 10_000 : 2_000_000;
    return { widthMs: this.settings.ppsWidthMs, errorPs, locked: sky.fix };
  }

  epoch(utcSecond: number, sky: SkyState): Buffer {
    if (sky.fix) this.everFixed = true;
    const n = this.epochCount++;
    let text = "";
    for (const name of ORDER) {
      const r = this.outputRate(name);
      if (r > 0 && n % r === 0) text += nmeaSentence(name === "MCHN" ? "PMTKCHN" : name, "GP", utcSecond, sky);
    }
    return Buffer.from(text, "latin1");
  }
}
