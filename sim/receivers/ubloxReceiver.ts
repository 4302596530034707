/*
 * A u-blox receiver at the byte level: it answers MON-VER polls and CFG
 * frames the way its protocol version does (ACK, NAK, or nothing), changes
 * its output, rate and pulse when configured, loses its RAM settings on a
 * reset or a power cycle, and runs a survey-in.
 *
 * Its configuration is a UbloxConfigStore (Gen9 keys in RAM/BBR/flash
 * layers; the legacy CFG messages are views of the same keys), so an M8
 * and an F9 differ only in which messages they accept (ubloxModels.ts).
 * Modelled as the documents say: every processed CFG input gets one ACK or
 * NAK; a polled CFG message is answered by itself then ACK-ACK; a VALSET
 * with one unknown key is refused whole; CFG-RST is not acknowledged; a
 * rate change is acknowledged at the new rate.
 * Assumed (not from a document): the boot banner's exact text, and that
 * polls of non-CFG messages other than MON-VER go unanswered.
 */
import { Framer } from "../../src/gnss/framer.js";
import type { Frame } from "../../src/gnss/frame.js";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import type { SurveyInReport } from "../../src/gnss/receiverReports.js";
import { parseCfgCfg } from "../../src/gnss/ubx/cfgCfg.js";
import { KEYS, MSGOUT_UART1, type ConfigKey, type MsgOutName } from "../../src/gnss/ubx/cfgKeys.js";
import { cfgMsgAllPortsPayload, parseCfgMsg } from "../../src/gnss/ubx/cfgMsg.js";
import { cfgNav5DynModelPayload, parseCfgNav5 } from "../../src/gnss/ubx/cfgNav5.js";
import { cfgPrtPayload, parseCfgPrt } from "../../src/gnss/ubx/cfgPrt.js";
import { cfgRatePayload, parseCfgRate } from "../../src/gnss/ubx/cfgRate.js";
import { parseCfgRst, resetReloadsConfig } from "../../src/gnss/ubx/cfgRst.js";
import { cfgTmode2Payload, parseCfgTmode2, type TimeModeName } from "../../src/gnss/ubx/cfgTmode2.js";
import { cfgTmode3Payload, parseCfgTmode3 } from "../../src/gnss/ubx/cfgTmode3.js";
import { cfgTp5Payload, parseCfgTp5 } from "../../src/gnss/ubx/cfgTp5.js";
import { parseValGetRequest, parseValSet, valGetReplyPayload } from "../../src/gnss/ubx/cfgVal.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import { UBX, ubxMessageName, type UbxMessageId } from "../../src/gnss/ubx/messageIds.js";
import { nmeaSentence } from "./nmeaSentences.js";
import type { PulseOutput, SimulatedReceiver, Transmission } from "./simulatedReceiver.js";
import { QUIET_RF, type SkyState } from "./skyState.js";
import { UbloxConfigStore, type Value } from "./ubloxConfig.js";
import { monHw, monRf, monVer, navPvt, navSat, navStatus, navSvin, navTimeLs, timSvin, timTp, type EpochFacts } from "./ubxMessages.js";
import type { UbloxModel } from "./ubloxModels.js";

export interface UbloxOptions {
  /** How fast the receiver's clock phase walks past the true second, ps/s: sets the sawtooth's period. */
  driftPsPerS?: number;
  /** Survey-in accuracy after 1 s of fix, m; it improves as 1/√t. */
  surveyAccuracyAt1sM?: number;
  /** The antenna cable's real delay, ns: uncompensated, it makes the pulse late. */
  antennaCableDelayNs?: number;
}

/** NMEA before UBX, in the order u-blox prints them (RMC first: it starts the epoch). */
const NMEA_ORDER: MsgOutName[] = ["RMC", "VTG", "GGA", "GSA", "GSV", "GLL", "GNS", "GST", "GRS", "GBS", "ZDA", "DTM"];
const UBX_ORDER: MsgOutName[] = ["NAV-PVT", "NAV-STATUS", "NAV-TIMEGPS", "NAV-TIMEUTC", "NAV-TIMELS", "NAV-SAT", "NAV-SVIN", "TIM-TP", "TIM-SVIN", "MON-HW", "MON-RF"];
const UART_RATES = [4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];

const IDLE_SURVEY: SurveyInReport = { active: false, valid: false, durationS: 0, observations: 0, ecefM: { x: 0, y: 0, z: 0 }, accuracyM: 0 };

export class SimulatedUblox implements SimulatedReceiver {
  private readonly config: UbloxConfigStore;
  private readonly framer: Framer;
  private inbox: Frame[] = [];
  private out: Transmission[] = [];
  private epochCount = 0;
  private survey: SurveyInReport = { ...IDLE_SURVEY };
  /** The position held in fixed mode (configured, or the survey's result). */
  private holding: { x: number; y: number; z: number } | undefined;
  private hangAfter: number | undefined;
  private cfgFramesSeen = 0;
  private readonly drift: number;
  private readonly surveyAt1s: number;
  private readonly cableNs: number;
  /** Counters for tests: what the receiver has been told. */
  readonly counts = { acks: 0, naks: 0, polls: 0, resets: 0, ignored: 0 };

  constructor(
    readonly model: UbloxModel,
    o: UbloxOptions = {},
  ) {
    this.config = new UbloxConfigStore(model, (ids) => {
      if (model.timeMode && ids.some((id) => UbloxConfigStore.TMODE_KEY_IDS.includes(id))) this.enterTimeMode();
    });
    this.drift = o.driftPsPerS ?? 1234.5;
    this.surveyAt1s = o.surveyAccuracyAt1sM ?? 30;
    this.cableNs = o.antennaCableDelayNs ?? 0;
    this.framer = new Framer({ frame: (f) => this.inbox.push(f), reject: () => undefined });
  }

  get baud(): number {
    return Number(this.get(KEYS.UART1_BAUDRATE));
  }

  /** After n more CFG frames the receiver stops answering and sending (a firmware hang). */
  hangAfterCfgFrames(n: number): void {
    this.hangAfter = this.cfgFramesSeen + n;
  }

  get hung(): boolean {
    return this.hangAfter !== undefined && this.cfgFramesSeen >= this.hangAfter;
  }

  // ---- what tests inspect ------------------------------------------------------------------

  /** Output rate of a message on UART1 now (0 off; undefined: this firmware has no such message). */
  outputRate(name: MsgOutName): number | undefined {
    return this.model.outputs.includes(name) ? Number(this.get(MSGOUT_UART1[name])) : undefined;
  }

  /** A key's value in force. */
  get(key: ConfigKey): Value {
    return this.config.get(key);
  }

  timeMode(): TimeModeName {
    return this.config.timeMode();
  }

  surveyState(): SurveyInReport {
    return { ...this.survey, ecefM: { ...this.survey.ecefM } };
  }

  heldPosition(): { x: number; y: number; z: number } | undefined {
    return this.holding ? { ...this.holding } : undefined;
  }

  // ---- bytes in -----------------------------------------------------------------------------

  write(bytes: Buffer): Transmission[] {
    this.framer.push(bytes, 0);
    const frames = this.inbox.splice(0);
    this.out = [];
    for (const f of frames) {
      if (this.hung) break;
      if (f.kind === "ubx") this.onUbx(f.msgClass, f.msgId, f.payload);
      else this.counts.ignored += 1; // NMEA input ($PMTK605, …) means nothing to a u-blox
    }
    return this.out.splice(0);
  }

  private send(m: UbxMessageId, payload: Buffer): void {
    if (this.get(KEYS.UART1OUTPROT_UBX) === false) return;
    // The rate read now: an ACK for a rate change goes out at the new rate.
    this.out.push({ bytes: encodeUbx(m.msgClass, m.msgId, payload), baud: this.baud });
  }

  private ack(of: UbxMessageId, ok: boolean): void {
    if (ok) this.counts.acks += 1;
    else this.counts.naks += 1;
    this.send(ok ? UBX.ACK_ACK : UBX.ACK_NAK, Buffer.from([of.msgClass, of.msgId]));
  }

  /** Whether this firmware takes a CFG message at all: legacy ones before M10, time modes on timing receivers, VAL* on Gen9. */
  private accepts(id: number): boolean {
    const legacy = this.model.legacyCfg;
    switch (id) {
      case UBX.CFG_PRT.msgId:
      case UBX.CFG_MSG.msgId:
      case UBX.CFG_RATE.msgId:
      case UBX.CFG_TP5.msgId:
      case UBX.CFG_NAV5.msgId:
        return legacy;
      case UBX.CFG_TMODE2.msgId:
        return legacy && this.model.timeMode === "tmode2";
      case UBX.CFG_TMODE3.msgId:
        return legacy && this.model.timeMode === "tmode3";
      case UBX.CFG_CFG.msgId:
      case UBX.CFG_RST.msgId:
        return true;
      case UBX.CFG_VALSET.msgId:
      case UBX.CFG_VALGET.msgId:
        return this.model.valset;
      default:
        return false;
    }
  }

  private onUbx(cls: number, id: number, p: Buffer): void {
    if (this.get(KEYS.UART1INPROT_UBX) === false) return;
    if (cls === UBX.MON_VER.msgClass && id === UBX.MON_VER.msgId && p.length === 0) {
      this.counts.polls += 1;
      this.send(UBX.MON_VER, monVer(this.model.swVersion, this.model.hwVersion, this.model.extensions));
      return;
    }
    if (cls !== 0x06 || this.hung) return;
    this.cfgFramesSeen += 1;
    const m: UbxMessageId = { msgClass: cls, msgId: id, name: ubxMessageName(cls, id) };
    if (!this.accepts(id)) {
      this.ack(m, false);
      return;
    }
    const c = this.config;
    switch (id) {
      case UBX.CFG_PRT.msgId:
        // Empty or portID 1: UART1, the only port modelled.
        this.pollOrSet(
          m,
          p.length === 0 || (p.length === 1 && p[0] === 1),
          () => cfgPrtPayload(c.port()),
          () => this.setPort(p),
        );
        break;
      case UBX.CFG_MSG.msgId:
        this.cfgMsg(m, p);
        break;
      case UBX.CFG_RATE.msgId:
        this.pollOrSet(
          m,
          p.length === 0,
          () => cfgRatePayload(c.rate()),
          () => this.setRate(p),
        );
        break;
      case UBX.CFG_TP5.msgId:
        // TIMEPULSE2 is not modelled.
        this.pollOrSet(
          m,
          p.length === 0 || (p.length === 1 && p[0] === 0),
          () => cfgTp5Payload(c.tp5()),
          () => this.setTp5(p),
        );
        break;
      case UBX.CFG_NAV5.msgId:
        this.pollOrSet(
          m,
          p.length === 0,
          () => this.nav5Payload(),
          () => this.setNav5(p),
        );
        break;
      case UBX.CFG_TMODE2.msgId:
        this.pollOrSet(
          m,
          p.length === 0,
          () => cfgTmode2Payload(c.tmode2()),
          () => this.setTmode(parseCfgTmode2(p), (s) => c.setTmode2(s)),
        );
        break;
      case UBX.CFG_TMODE3.msgId:
        this.pollOrSet(
          m,
          p.length === 0,
          () => cfgTmode3Payload(c.tmode3()),
          () => this.setTmode(parseCfgTmode3(p), (s) => c.setTmode3(s)),
        );
        break;
      case UBX.CFG_CFG.msgId:
        this.ack(m, this.cfgCfg(p));
        break;
      case UBX.CFG_RST.msgId:
        this.cfgRst(p);
        break;
      case UBX.CFG_VALSET.msgId:
        this.ack(m, this.valSet(p));
        break;
      case UBX.CFG_VALGET.msgId:
        this.valGet(m, p);
        break;
    }
  }

  /** A poll is answered with the message and ACK-ACK; anything else is a set, applied (ACK) or refused (NAK). */
  private pollOrSet(m: UbxMessageId, isPoll: boolean, payload: () => Buffer, set: () => boolean): void {
    if (isPoll) {
      this.counts.polls += 1;
      this.send(m, payload());
    }
    this.ack(m, isPoll || set());
  }

  private setPort(p: Buffer): boolean {
    const s = parseCfgPrt(p);
    if (typeof s === "string" || s.portId !== 1 || !UART_RATES.includes(s.baud)) return false;
    this.config.setPort(s);
    return true;
  }

  private msgOutName(target: UbxMessageId): MsgOutName | undefined {
    const name = target.msgClass === 0xf0 ? target.name.replace(/^NMEA-/, "") : target.name;
    return (this.model.outputs as readonly string[]).includes(name) ? (name as MsgOutName) : undefined;
  }

  private cfgMsg(m: UbxMessageId, p: Buffer): void {
    const r = parseCfgMsg(p);
    if (r === undefined) {
      // A 2-byte poll: answered for a message this firmware has, refused for any other.
      const target: UbxMessageId = { msgClass: p[0]!, msgId: p[1]!, name: ubxMessageName(p[0]!, p[1]!) };
      const name = this.msgOutName(target);
      if (!name) this.ack(m, false);
      else
        this.pollOrSet(
          m,
          true,
          () => cfgMsgAllPortsPayload(target, { ddc: 0, uart1: Number(this.get(MSGOUT_UART1[name])), uart2: 0, usb: 0, spi: 0 }),
          () => false,
        );
      return;
    }
    const name = typeof r === "string" ? undefined : this.msgOutName(r.message);
    if (name && typeof r !== "string") this.config.set([[MSGOUT_UART1[name], r.currentPort ?? r.ports?.uart1 ?? 0]]);
    this.ack(m, name !== undefined);
  }

  private setRate(p: Buffer): boolean {
    const s = parseCfgRate(p);
    if (typeof s === "string" || s.measRateMs < 25 || s.navRate < 1 || s.timeRef > 4) return false;
    this.config.setRate(s);
    return true;
  }

  private setTp5(p: Buffer): boolean {
    const s = parseCfgTp5(p);
    if (typeof s === "string" || s.tpIdx !== 0) return false;
    this.config.setTp5(s);
    return true;
  }

  private nav5Payload(): Buffer {
    const p = cfgNav5DynModelPayload(Number(this.get(KEYS.NAVSPG_DYNMODEL)));
    p.writeUInt16LE(0xffff, 0);
    return p;
  }

  private setNav5(p: Buffer): boolean {
    const s = parseCfgNav5(p);
    if (typeof s === "string") return false;
    if (s.mask & 1) {
      if (![0, 2, 3, 4, 5, 6, 7, 8, 9].includes(s.dynModel)) return false;
      this.config.set([[KEYS.NAVSPG_DYNMODEL, s.dynModel]]);
    }
    return true;
  }

  private setTmode<S>(s: S | string, apply: (s: S) => void): boolean {
    if (typeof s === "string") return false;
    apply(s);
    return true;
  }

  private cfgCfg(p: Buffer): boolean {
    const r = parseCfgCfg(p);
    if (typeof r === "string") return false;
    // Without a device mask the M8 acts on BBR, flash and EEPROM.
    const dev = r.devices ?? { bbr: true, flash: true, eeprom: true, spiFlash: false };
    this.config.cfgCfg({ bbr: dev.bbr, flash: dev.flash || dev.spiFlash }, r.clearMask !== 0, r.saveMask !== 0, r.loadMask !== 0);
    return true;
  }

  private cfgRst(p: Buffer): void {
    const r = parseCfgRst(p);
    if (typeof r === "string") return; // not acknowledged either way
    this.counts.resets += 1;
    if (resetReloadsConfig(r.resetMode)) this.boot();
  }

  private valSet(p: Buffer): boolean {
    const r = parseValSet(p);
    if (typeof r === "string" || !r.values.every((v) => this.config.knows(v.key.id))) return false;
    this.config.setLayers(r.values, r.layers);
    return true;
  }

  private valGet(m: UbxMessageId, p: Buffer): void {
    const r = parseValGetRequest(p);
    if (typeof r === "string" || !r.keyIds.every((id) => this.config.knows(id))) {
      this.ack(m, false);
      return;
    }
    this.counts.polls += 1;
    this.send(m, valGetReplyPayload(r.layer, r.position, this.config.read(r.layer, r.keyIds).slice(r.position)));
    this.ack(m, true);
  }

  // ---- state that follows from settings ------------------------------------------------------

  private enterTimeMode(): void {
    const mode = this.config.timeMode();
    this.survey = { ...IDLE_SURVEY, active: mode === "survey-in" };
    this.holding = mode === "fixed" ? this.config.fixedPosition() : undefined;
  }

  private boot(): void {
    this.config.reload();
    this.epochCount = 0;
    this.hangAfter = undefined;
    this.inbox = [];
  }

  powerCycle(): Transmission[] {
    if (!this.model.backupBattery) this.config.loseBbr();
    this.boot();
    if (this.get(KEYS.UART1OUTPROT_NMEA) === false) return [];
    const txt = (s: string): string => withChecksum(`$GNTXT,01,01,02,${s}`) + "\r\n";
    return [{ bytes: Buffer.from(txt("u-blox AG - www.u-blox.com") + txt(`HW ${this.model.hwVersion}`) + txt(this.model.swVersion), "latin1"), baud: this.baud }];
  }

  // ---- bytes out ----------------------------------------------------------------------------

  /** Quantisation of the pulse at a second: the phase of the receiver's clock against the true second. */
  private quantisationPs(utcSecond: number): number {
    const p = this.model.tickPs;
    const phase = (((utcSecond * this.drift) % p) + p) % p;
    return Math.round(phase - p / 2);
  }

  pulse(utcSecond: number, sky: SkyState): PulseOutput | undefined {
    if (this.hung || this.get(KEYS.TP_TP1_ENA) !== true) return undefined;
    const locked = sky.fix;
    const useLocked = this.get(KEYS.TP_USE_LOCKED_TP1) === true && locked;
    const widthUs = Number(this.get(useLocked ? KEYS.TP_LEN_LOCK_TP1 : KEYS.TP_LEN_TP1));
    if (widthUs === 0) return undefined;
    const cableErrorPs = (this.cableNs - Number(this.get(KEYS.TP_ANT_CABLEDELAY))) * 1000;
    // Unlocked, the pulse runs on the TCXO: microseconds off and wandering.
    const errorPs = locked ? this.quantisationPs(utcSecond) + cableErrorPs : 3_500_000 + ((utcSecond * 7919) % 1_000_000);
    return { widthMs: widthUs / 1000, errorPs, locked };
  }

  epoch(utcSecond: number, sky: SkyState): Buffer {
    if (this.hung) return Buffer.alloc(0);
    this.advanceSurvey(sky);
    const n = this.epochCount++;
    const due = (name: MsgOutName): boolean => {
      const r = this.outputRate(name);
      return r !== undefined && r > 0 && n % r === 0;
    };
    const parts: Buffer[] = [];
    const facts: EpochFacts = { utcSecond, sky, fixType: !sky.fix ? 0 : this.holding ? 5 : 3 };
    if (this.get(KEYS.UART1OUTPROT_UBX) === true) {
      for (const name of UBX_ORDER) {
        if (!due(name)) continue;
        const payload = this.ubxPayload(name, facts);
        if (payload) {
          const m = Object.values(UBX).find((u) => u.name === name)!;
          parts.push(encodeUbx(m.msgClass, m.msgId, payload));
        }
      }
    }
    if (this.get(KEYS.UART1OUTPROT_NMEA) === true) {
      const nmea = NMEA_ORDER.filter(due)
        .map((name) => nmeaSentence(name, "GN", utcSecond, sky))
        .join("");
      parts.unshift(Buffer.from(nmea, "latin1"));
    }
    return Buffer.concat(parts);
  }

  private ubxPayload(name: MsgOutName, e: EpochFacts): Buffer | undefined {
    switch (name) {
      case "NAV-PVT":
        return navPvt(e);
      case "NAV-STATUS":
        return navStatus(e);
      case "NAV-TIMELS":
        return navTimeLs(e);
      case "NAV-SAT":
        return navSat(e);
      case "TIM-TP":
        // The receiver knows its own quantisation, not the cable it was not told about.
        return timTp(e.utcSecond + 1, e.sky, this.quantisationPs(e.utcSecond + 1));
      case "TIM-SVIN":
        return timSvin(this.survey);
      case "NAV-SVIN":
        return navSvin(e.utcSecond, e.sky, this.survey);
      case "MON-HW":
        return monHw(e.sky.rf ?? QUIET_RF);
      case "MON-RF":
        return monRf(e.sky.rf ?? QUIET_RF);
      default:
        return undefined; // NAV-TIMEGPS/TIMEUTC: not modelled
    }
  }

  private advanceSurvey(sky: SkyState): void {
    const s = this.survey;
    if (!s.active || !sky.fix) return;
    s.durationS += 1;
    s.observations += 1;
    s.accuracyM = Math.max(0.05, this.surveyAt1s / Math.sqrt(s.durationS));
    const t = sky.antennaEcefM;
    s.ecefM = { x: t.x + 0.3 * s.accuracyM, y: t.y - 0.2 * s.accuracyM, z: t.z + 0.1 * s.accuracyM };
    const minDur = Number(this.get(KEYS.TMODE_SVIN_MIN_DUR));
    const limitM = Number(this.get(KEYS.TMODE_SVIN_ACC_LIMIT)) / 10_000;
    if (s.durationS >= minDur && s.accuracyM <= limitM) {
      s.active = false;
      s.valid = true;
      this.holding = { ...s.ecefM };
    }
  }
}
