/*
 * A u-blox receiver at the byte level: it answers MON-VER polls and CFG
 * frames the way its protocol version does (ACK, NAK, or nothing), changes
 * its output, rate and pulse when configured, loses its RAM settings on a
 * reset or a power cycle, and runs a survey-in.
 *
 * Its configuration is held as Gen9 keys (CFG-TP-PERIOD_TP1, CFG-MSGOUT-…)
 * in three layers, as the F9 interface description explains them: RAM (in
 * force), BBR and flash; at start RAM is built from the defaults, then
 * flash, then BBR. Legacy CFG messages (CFG-MSG, CFG-TP5, CFG-TMODE2, …)
 * read and write the same keys, as the real F9 does, so an M8 and an F9
 * differ only in which messages they accept (see ubloxModels.ts).
 * Modelled as the documents say: every processed CFG input gets one ACK or
 * NAK; a polled CFG message is answered by itself then ACK-ACK; a VALSET
 * with one unknown key is refused whole; CFG-RST is not acknowledged; a
 * rate change is acknowledged at the new rate.
 * Assumed (not from a document): the defaults of the pulse (100 ms, free
 * running without a fix) and the boot banner's exact text.
 */
import { Framer } from "../../src/gnss/framer.js";
import type { Frame } from "../../src/gnss/frame.js";
import type { SurveyInReport } from "../../src/gnss/receiverReports.js";
import { parseCfgCfg } from "../../src/gnss/ubx/cfgCfg.js";
import { KEYS, MSGOUT_UART1, type ConfigKey, type MsgOutName } from "../../src/gnss/ubx/cfgKeys.js";
import { cfgMsgAllPortsPayload, parseCfgMsg } from "../../src/gnss/ubx/cfgMsg.js";
import { cfgNav5DynModelPayload, parseCfgNav5 } from "../../src/gnss/ubx/cfgNav5.js";
import { cfgPrtPayload, MODE_8N1, parseCfgPrt } from "../../src/gnss/ubx/cfgPrt.js";
import { cfgRatePayload, parseCfgRate } from "../../src/gnss/ubx/cfgRate.js";
import { parseCfgRst, resetReloadsConfig } from "../../src/gnss/ubx/cfgRst.js";
import { cfgTmode2Payload, parseCfgTmode2, timeModeName } from "../../src/gnss/ubx/cfgTmode2.js";
import { cfgTmode3Payload, parseCfgTmode3 } from "../../src/gnss/ubx/cfgTmode3.js";
import { cfgTp5Payload, parseCfgTp5, type Tp5Settings } from "../../src/gnss/ubx/cfgTp5.js";
import { parseValGetRequest, parseValSet, valGetReplyPayload, type ConfigValue } from "../../src/gnss/ubx/cfgVal.js";
import { encodeUbx } from "../../src/gnss/ubx/frame.js";
import { UBX, ubxMessageName, type UbxMessageId } from "../../src/gnss/ubx/messageIds.js";
import { withChecksum } from "../../src/gnss/nmea/sentence.js";
import { nmeaSentence } from "./nmeaSentences.js";
import type { PulseOutput, SimulatedReceiver, Transmission } from "./simulatedReceiver.js";
import type { SkyState } from "./skyState.js";
import { monHw, monRf, monVer, navPvt, navSat, navStatus, navSvin, navTimeLs, timSvin, timTp, type EpochFacts } from "./ubxMessages.js";
import type { UbloxModel } from "./ubloxModels.js";

type Value = number | boolean;
type Layer = Map<number, Value>;

export interface UbloxOptions {
  /** How fast the receiver's clock phase walks past the true second, ps/s: sets the sawtooth's period. */
  driftPsPerS?: number;
  /** Survey-in accuracy after 1 s of fix, m; it improves as 1/√t. */
  surveyAccuracyAt1sM?: number;
  /** The antenna cable's real delay, ns: uncompensated, it makes the pulse late. */
  antennaCableDelayNs?: number;
}

const ALL_MSGOUT = Object.entries(MSGOUT_UART1) as [MsgOutName, ConfigKey][];

/** NMEA before UBX, in the order u-blox prints them (RMC first: it starts the epoch). */
const NMEA_ORDER: MsgOutName[] = ["RMC", "VTG", "GGA", "GSA", "GSV", "GLL", "GNS", "GST", "GRS", "GBS", "ZDA", "DTM"];
const UBX_ORDER: MsgOutName[] = ["NAV-PVT", "NAV-STATUS", "NAV-TIMEGPS", "NAV-TIMEUTC", "NAV-TIMELS", "NAV-SAT", "NAV-SVIN", "TIM-TP", "TIM-SVIN", "MON-HW", "MON-RF"];

function defaultsFor(model: UbloxModel): Layer {
  const d: Layer = new Map<number, Value>([
    [KEYS.UART1_BAUDRATE.id, model.defaultBaud],
    [KEYS.UART1INPROT_UBX.id, true],
    [KEYS.UART1INPROT_NMEA.id, true],
    [KEYS.UART1OUTPROT_UBX.id, true],
    [KEYS.UART1OUTPROT_NMEA.id, true],
    [KEYS.UART1OUTPROT_RTCM3X.id, false],
    [KEYS.RATE_MEAS.id, 1000],
    [KEYS.RATE_NAV.id, 1],
    [KEYS.RATE_TIMEREF.id, 1],
    [KEYS.NAVSPG_DYNMODEL.id, 0],
    [KEYS.TP_TP1_ENA.id, true],
    [KEYS.TP_PULSE_DEF.id, 0],
    [KEYS.TP_PULSE_LENGTH_DEF.id, 1],
    [KEYS.TP_PERIOD_TP1.id, 1_000_000],
    [KEYS.TP_LEN_TP1.id, 100_000],
    [KEYS.TP_PERIOD_LOCK_TP1.id, 1_000_000],
    [KEYS.TP_LEN_LOCK_TP1.id, 100_000],
    [KEYS.TP_USER_DELAY_TP1.id, 0],
    [KEYS.TP_SYNC_GNSS_TP1.id, true],
    [KEYS.TP_USE_LOCKED_TP1.id, false],
    [KEYS.TP_ALIGN_TO_TOW_TP1.id, true],
    [KEYS.TP_POL_TP1.id, true],
    [KEYS.TP_TIMEGRID_TP1.id, 0],
    [KEYS.TP_ANT_CABLEDELAY.id, 50],
  ]);
  for (const [name, key] of ALL_MSGOUT) if (model.outputs.includes(name)) d.set(key.id, ["GGA", "GLL", "GSA", "GSV", "RMC", "VTG"].includes(name) ? 1 : 0);
  if (model.timeMode) {
    for (const k of [KEYS.TMODE_MODE, KEYS.TMODE_POS_TYPE, KEYS.TMODE_ECEF_X, KEYS.TMODE_ECEF_Y, KEYS.TMODE_ECEF_Z, KEYS.TMODE_ECEF_X_HP, KEYS.TMODE_ECEF_Y_HP, KEYS.TMODE_ECEF_Z_HP, KEYS.TMODE_FIXED_POS_ACC, KEYS.TMODE_SVIN_MIN_DUR, KEYS.TMODE_SVIN_ACC_LIMIT]) d.set(k.id, 0);
  }
  return d;
}

interface Survey {
  active: boolean;
  valid: boolean;
  durationS: number;
  observations: number;
  ecefM: { x: number; y: number; z: number };
  accuracyM: number;
}

const IDLE_SURVEY: Survey = { active: false, valid: false, durationS: 0, observations: 0, ecefM: { x: 0, y: 0, z: 0 }, accuracyM: 0 };

export class SimulatedUblox implements SimulatedReceiver {
  private readonly defaults: Layer;
  private ram: Layer;
  private bbr: Layer = new Map();
  private flash: Layer = new Map();
  private readonly framer: Framer;
  private inbox: Frame[] = [];
  private out: Transmission[] = [];
  private epochCount = 0;
  private survey: Survey = { ...IDLE_SURVEY };
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
    this.defaults = defaultsFor(model);
    this.ram = new Map(this.defaults);
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
    return this.ram.get(key.id) ?? this.defaults.get(key.id) ?? 0;
  }

  timeMode(): "disabled" | "survey-in" | "fixed" {
    return timeModeName(Number(this.get(KEYS.TMODE_MODE))) ?? "disabled";
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
    this.out.push({ bytes: encodeUbx(m.msgClass, m.msgId, payload), baud: this.baud });
  }

  private ack(of: UbxMessageId, ok: boolean): void {
    if (ok) this.counts.acks += 1;
    else this.counts.naks += 1;
    this.send(ok ? UBX.ACK_ACK : UBX.ACK_NAK, Buffer.from([of.msgClass, of.msgId]));
  }

  private onUbx(cls: number, id: number, p: Buffer): void {
    if (this.get(KEYS.UART1INPROT_UBX) === false) return;
    if (cls === UBX.MON_VER.msgClass && id === UBX.MON_VER.msgId && p.length === 0) {
      this.counts.polls += 1;
      this.send(UBX.MON_VER, monVer(this.model.swVersion, this.model.hwVersion, this.model.extensions));
      return;
    }
    if (cls !== 0x06) return; // polls of other messages are not modelled
    if (this.hung) return;
    this.cfgFramesSeen += 1;
    const m: UbxMessageId = { msgClass: cls, msgId: id, name: ubxMessageName(cls, id) };
    const legacy = this.model.legacyCfg;
    switch (id) {
      case UBX.CFG_PRT.msgId:
        return legacy ? this.cfgPrt(m, p) : this.ack(m, false);
      case UBX.CFG_MSG.msgId:
        return legacy ? this.cfgMsg(m, p) : this.ack(m, false);
      case UBX.CFG_RATE.msgId:
        return legacy ? this.pollOrSet(m, p, 6, () => cfgRatePayload({ measRateMs: Number(this.get(KEYS.RATE_MEAS)), navRate: Number(this.get(KEYS.RATE_NAV)), timeRef: Number(this.get(KEYS.RATE_TIMEREF)) }), () => this.setRate(p)) : this.ack(m, false);
      case UBX.CFG_TP5.msgId:
        return legacy ? this.cfgTp5(m, p) : this.ack(m, false);
      case UBX.CFG_NAV5.msgId:
        return legacy ? this.pollOrSet(m, p, 36, () => this.nav5Payload(), () => this.setNav5(p)) : this.ack(m, false);
      case UBX.CFG_TMODE2.msgId:
        return legacy && this.model.timeMode === "tmode2" ? this.pollOrSet(m, p, 28, () => this.tmode2Payload(), () => this.setTmode2(p)) : this.ack(m, false);
      case UBX.CFG_TMODE3.msgId:
        return legacy && this.model.timeMode === "tmode3" ? this.pollOrSet(m, p, 40, () => this.tmode3Payload(), () => this.setTmode3(p)) : this.ack(m, false);
      case UBX.CFG_CFG.msgId:
        return this.ack(m, this.cfgCfg(p));
      case UBX.CFG_RST.msgId:
        return this.cfgRst(p);
      case UBX.CFG_VALSET.msgId:
        return this.model.valset ? this.ack(m, this.valSet(p)) : this.ack(m, false);
      case UBX.CFG_VALGET.msgId:
        return this.model.valset ? this.valGet(m, p) : this.ack(m, false);
      default:
        return this.ack(m, false);
    }
  }

  /** A poll (empty payload) is answered with the message and ACK-ACK; a set of the right length applies or is refused. */
  private pollOrSet(m: UbxMessageId, p: Buffer, setLength: number, payload: () => Buffer, set: () => boolean): void {
    if (p.length === 0) {
      this.counts.polls += 1;
      this.send(m, payload());
      return this.ack(m, true);
    }
    this.ack(m, p.length === setLength && set());
  }

  // ---- legacy CFG onto keys -----------------------------------------------------------------

  private setMany(values: [ConfigKey, Value][]): void {
    for (const [k, v] of values) this.ram.set(k.id, v);
    this.applySideEffects(values.map(([k]) => k.id));
  }

  private cfgPrt(m: UbxMessageId, p: Buffer): void {
    if (p.length <= 1) {
      // Empty: the port the poll came in on (UART1); one byte: that port, which must be UART1 here.
      if (p.length === 1 && p[0] !== 1) return this.ack(m, false);
      this.counts.polls += 1;
      this.send(m, cfgPrtPayload({ portId: 1, baud: this.baud, mode: MODE_8N1, input: { ubx: this.get(KEYS.UART1INPROT_UBX) === true, nmea: this.get(KEYS.UART1INPROT_NMEA) === true, rtcm3: false }, output: { ubx: this.get(KEYS.UART1OUTPROT_UBX) === true, nmea: this.get(KEYS.UART1OUTPROT_NMEA) === true, rtcm3: false } }));
      return this.ack(m, true);
    }
    const s = parseCfgPrt(p);
    if (typeof s === "string" || s.portId !== 1 || ![4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600].includes(s.baud)) return this.ack(m, false);
    this.setMany([
      [KEYS.UART1_BAUDRATE, s.baud],
      [KEYS.UART1INPROT_UBX, s.input.ubx],
      [KEYS.UART1INPROT_NMEA, s.input.nmea],
      [KEYS.UART1OUTPROT_UBX, s.output.ubx],
      [KEYS.UART1OUTPROT_NMEA, s.output.nmea],
    ]);
    this.ack(m, true); // at the new rate: send() reads it now
  }

  private msgOutName(target: UbxMessageId): MsgOutName | undefined {
    const name = target.msgClass === 0xf0 ? target.name.replace(/^NMEA-/, "") : target.name;
    return (this.model.outputs as readonly string[]).includes(name) ? (name as MsgOutName) : undefined;
  }

  private cfgMsg(m: UbxMessageId, p: Buffer): void {
    const r = parseCfgMsg(p);
    if (typeof r === "string") return this.ack(m, false);
    if (r === undefined) {
      const target: UbxMessageId = { msgClass: p[0]!, msgId: p[1]!, name: ubxMessageName(p[0]!, p[1]!) };
      const name = this.msgOutName(target);
      if (!name) return this.ack(m, false);
      this.counts.polls += 1;
      const rate = Number(this.get(MSGOUT_UART1[name]));
      this.send(m, cfgMsgAllPortsPayload(target, { ddc: 0, uart1: rate, uart2: 0, usb: 0, spi: 0 }));
      return this.ack(m, true);
    }
    const name = this.msgOutName(r.message);
    if (!name) return this.ack(m, false);
    this.setMany([[MSGOUT_UART1[name], r.currentPort ?? r.ports?.uart1 ?? 0]]);
    this.ack(m, true);
  }

  private setRate(p: Buffer): boolean {
    const s = parseCfgRate(p);
    if (typeof s === "string" || s.measRateMs < 25 || s.navRate < 1 || s.timeRef > 4) return false;
    this.setMany([
      [KEYS.RATE_MEAS, s.measRateMs],
      [KEYS.RATE_NAV, s.navRate],
      [KEYS.RATE_TIMEREF, s.timeRef],
    ]);
    return true;
  }

  private tp5(): Tp5Settings {
    const locked = this.get(KEYS.TP_USE_LOCKED_TP1) === true;
    return {
      tpIdx: 0,
      antCableDelayNs: Number(this.get(KEYS.TP_ANT_CABLEDELAY)),
      rfGroupDelayNs: 0,
      freqPeriod: Number(this.get(KEYS.TP_PERIOD_TP1)),
      freqPeriodLock: Number(this.get(KEYS.TP_PERIOD_LOCK_TP1)),
      pulseLenRatio: Number(this.get(KEYS.TP_LEN_TP1)),
      pulseLenRatioLock: Number(this.get(KEYS.TP_LEN_LOCK_TP1)),
      userConfigDelayNs: Number(this.get(KEYS.TP_USER_DELAY_TP1)),
      active: this.get(KEYS.TP_TP1_ENA) === true,
      lockGnssFreq: this.get(KEYS.TP_SYNC_GNSS_TP1) === true,
      lockedOtherSet: locked,
      isFreq: this.get(KEYS.TP_PULSE_DEF) === 1,
      isLength: this.get(KEYS.TP_PULSE_LENGTH_DEF) === 1,
      alignToTow: this.get(KEYS.TP_ALIGN_TO_TOW_TP1) === true,
      polarityRising: this.get(KEYS.TP_POL_TP1) === true,
      grid: Number(this.get(KEYS.TP_TIMEGRID_TP1)),
      syncMode: 0,
    };
  }

  private cfgTp5(m: UbxMessageId, p: Buffer): void {
    if (p.length <= 1) {
      if (p.length === 1 && p[0] !== 0) return this.ack(m, false); // TIMEPULSE2 not modelled
      this.counts.polls += 1;
      this.send(m, cfgTp5Payload(this.tp5()));
      return this.ack(m, true);
    }
    const s = parseCfgTp5(p);
    if (typeof s === "string" || s.tpIdx !== 0) return this.ack(m, false);
    this.setMany([
      [KEYS.TP_ANT_CABLEDELAY, s.antCableDelayNs],
      [KEYS.TP_PERIOD_TP1, s.freqPeriod],
      [KEYS.TP_PERIOD_LOCK_TP1, s.freqPeriodLock],
      [KEYS.TP_LEN_TP1, s.pulseLenRatio],
      [KEYS.TP_LEN_LOCK_TP1, s.pulseLenRatioLock],
      [KEYS.TP_USER_DELAY_TP1, s.userConfigDelayNs],
      [KEYS.TP_TP1_ENA, s.active],
      [KEYS.TP_SYNC_GNSS_TP1, s.lockGnssFreq],
      [KEYS.TP_USE_LOCKED_TP1, s.lockedOtherSet],
      [KEYS.TP_PULSE_DEF, s.isFreq ? 1 : 0],
      [KEYS.TP_PULSE_LENGTH_DEF, s.isLength ? 1 : 0],
      [KEYS.TP_ALIGN_TO_TOW_TP1, s.alignToTow],
      [KEYS.TP_POL_TP1, s.polarityRising],
      [KEYS.TP_TIMEGRID_TP1, s.grid],
    ]);
    this.ack(m, true);
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
      this.setMany([[KEYS.NAVSPG_DYNMODEL, s.dynModel]]);
    }
    return true;
  }

  private tmode2Payload(): Buffer {
    return cfgTmode2Payload({
      mode: this.timeMode(),
      ecefCm: { x: Number(this.get(KEYS.TMODE_ECEF_X)), y: Number(this.get(KEYS.TMODE_ECEF_Y)), z: Number(this.get(KEYS.TMODE_ECEF_Z)) },
      fixedPosAccMm: Math.round(Number(this.get(KEYS.TMODE_FIXED_POS_ACC)) / 10),
      svinMinDurS: Number(this.get(KEYS.TMODE_SVIN_MIN_DUR)),
      svinAccLimitMm: Math.round(Number(this.get(KEYS.TMODE_SVIN_ACC_LIMIT)) / 10),
    });
  }

  private setTmode2(p: Buffer): boolean {
    const s = parseCfgTmode2(p);
    if (typeof s === "string") return false;
    this.setMany([
      [KEYS.TMODE_MODE, ["disabled", "survey-in", "fixed"].indexOf(s.mode)],
      [KEYS.TMODE_POS_TYPE, 0],
      [KEYS.TMODE_ECEF_X, s.ecefCm.x],
      [KEYS.TMODE_ECEF_Y, s.ecefCm.y],
      [KEYS.TMODE_ECEF_Z, s.ecefCm.z],
      [KEYS.TMODE_ECEF_X_HP, 0],
      [KEYS.TMODE_ECEF_Y_HP, 0],
      [KEYS.TMODE_ECEF_Z_HP, 0],
      [KEYS.TMODE_FIXED_POS_ACC, s.fixedPosAccMm * 10],
      [KEYS.TMODE_SVIN_MIN_DUR, s.svinMinDurS],
      [KEYS.TMODE_SVIN_ACC_LIMIT, s.svinAccLimitMm * 10],
    ]);
    return true;
  }

  private tmode3Payload(): Buffer {
    return cfgTmode3Payload({
      mode: this.timeMode(),
      ecefCm: { x: Number(this.get(KEYS.TMODE_ECEF_X)), y: Number(this.get(KEYS.TMODE_ECEF_Y)), z: Number(this.get(KEYS.TMODE_ECEF_Z)) },
      ecefHp: { x: Number(this.get(KEYS.TMODE_ECEF_X_HP)), y: Number(this.get(KEYS.TMODE_ECEF_Y_HP)), z: Number(this.get(KEYS.TMODE_ECEF_Z_HP)) },
      fixedPosAcc01Mm: Number(this.get(KEYS.TMODE_FIXED_POS_ACC)),
      svinMinDurS: Number(this.get(KEYS.TMODE_SVIN_MIN_DUR)),
      svinAccLimit01Mm: Number(this.get(KEYS.TMODE_SVIN_ACC_LIMIT)),
    });
  }

  private setTmode3(p: Buffer): boolean {
    const s = parseCfgTmode3(p);
    if (typeof s === "string") return false;
    this.setMany([
      [KEYS.TMODE_MODE, ["disabled", "survey-in", "fixed"].indexOf(s.mode)],
      [KEYS.TMODE_POS_TYPE, 0],
      [KEYS.TMODE_ECEF_X, s.ecefCm.x],
      [KEYS.TMODE_ECEF_Y, s.ecefCm.y],
      [KEYS.TMODE_ECEF_Z, s.ecefCm.z],
      [KEYS.TMODE_ECEF_X_HP, s.ecefHp.x],
      [KEYS.TMODE_ECEF_Y_HP, s.ecefHp.y],
      [KEYS.TMODE_ECEF_Z_HP, s.ecefHp.z],
      [KEYS.TMODE_FIXED_POS_ACC, s.fixedPosAcc01Mm],
      [KEYS.TMODE_SVIN_MIN_DUR, s.svinMinDurS],
      [KEYS.TMODE_SVIN_ACC_LIMIT, s.svinAccLimit01Mm],
    ]);
    return true;
  }

  private cfgCfg(p: Buffer): boolean {
    const r = parseCfgCfg(p);
    if (typeof r === "string") return false;
    // Without a device mask the M8 acts on BBR, flash and EEPROM.
    const dev = r.devices ?? { bbr: true, flash: true, eeprom: true, spiFlash: false };
    const layers = [dev.bbr ? this.bbr : undefined, dev.flash || dev.spiFlash ? this.flash : undefined].filter((l): l is Layer => l !== undefined);
    if (r.clearMask !== 0) for (const l of layers) l.clear();
    if (r.saveMask !== 0) for (const l of layers) for (const [k, v] of this.ram) l.set(k, v);
    if (r.loadMask !== 0) this.reload();
    return true;
  }

  private cfgRst(p: Buffer): void {
    const r = parseCfgRst(p);
    if (typeof r === "string") return; // not acknowledged either way
    this.counts.resets += 1;
    if (resetReloadsConfig(r.resetMode)) this.boot();
  }

  // ---- CFG-VALSET / VALGET -----------------------------------------------------------------

  /** Keys this firmware knows: the general ones, the time-mode ones on a TMODE3 receiver, and MSGOUT keys for its outputs. */
  private knows(id: number): boolean {
    const tmode = [KEYS.TMODE_MODE, KEYS.TMODE_POS_TYPE, KEYS.TMODE_ECEF_X, KEYS.TMODE_ECEF_Y, KEYS.TMODE_ECEF_Z, KEYS.TMODE_ECEF_X_HP, KEYS.TMODE_ECEF_Y_HP, KEYS.TMODE_ECEF_Z_HP, KEYS.TMODE_FIXED_POS_ACC, KEYS.TMODE_SVIN_MIN_DUR, KEYS.TMODE_SVIN_ACC_LIMIT].map((k) => k.id);
    if (tmode.includes(id)) return this.model.timeMode === "tmode3";
    const out = ALL_MSGOUT.find(([, k]) => k.id === id);
    if (out) return this.model.outputs.includes(out[0]);
    return Object.values(KEYS).some((k) => k.id === id);
  }

  private valSet(p: Buffer): boolean {
    const r = parseValSet(p);
    if (typeof r === "string" || !r.values.every((v) => this.knows(v.key.id))) return false;
    for (const v of r.values) {
      if (r.layers.bbr) this.bbr.set(v.key.id, v.value);
      if (r.layers.flash) this.flash.set(v.key.id, v.value);
    }
    if (r.layers.ram) this.setMany(r.values.map((v) => [v.key, v.value]));
    return true;
  }

  private valGet(m: UbxMessageId, p: Buffer): void {
    const r = parseValGetRequest(p);
    if (typeof r === "string" || !r.keyIds.every((id) => this.knows(id))) return this.ack(m, false);
    const layer = r.layer === "ram" ? this.ram : r.layer === "bbr" ? this.bbr : r.layer === "flash" ? this.flash : this.defaults;
    const values: ConfigValue[] = [];
    for (const id of r.keyIds) {
      const key = [...Object.values(KEYS), ...Object.values(MSGOUT_UART1)].find((k) => k.id === id)!;
      const v = r.layer === "ram" ? (layer.get(id) ?? this.defaults.get(id)) : layer.get(id);
      if (v !== undefined) values.push({ key, value: v });
    }
    this.counts.polls += 1;
    this.send(m, valGetReplyPayload(r.layer, r.position, values.slice(r.position)));
    this.ack(m, true);
  }

  // ---- state that follows from settings ------------------------------------------------------

  private applySideEffects(changed: number[]): void {
    const tmodeKeys = [KEYS.TMODE_MODE.id, KEYS.TMODE_ECEF_X.id, KEYS.TMODE_ECEF_Y.id, KEYS.TMODE_ECEF_Z.id, KEYS.TMODE_SVIN_MIN_DUR.id, KEYS.TMODE_SVIN_ACC_LIMIT.id];
    if (this.model.timeMode && changed.some((id) => tmodeKeys.includes(id))) this.enterTimeMode();
  }

  private enterTimeMode(): void {
    const mode = this.timeMode();
    this.survey = { ...IDLE_SURVEY, active: mode === "survey-in" };
    if (mode === "fixed") {
      const cmHp = (cm: ConfigKey, hp: ConfigKey): number => (Number(this.get(cm)) * 100 + Number(this.get(hp))) / 10_000;
      this.holding = { x: cmHp(KEYS.TMODE_ECEF_X, KEYS.TMODE_ECEF_X_HP), y: cmHp(KEYS.TMODE_ECEF_Y, KEYS.TMODE_ECEF_Y_HP), z: cmHp(KEYS.TMODE_ECEF_Z, KEYS.TMODE_ECEF_Z_HP) };
    } else {
      this.holding = undefined;
    }
  }

  private reload(): void {
    this.ram = new Map(this.defaults);
    for (const [k, v] of this.flash) this.ram.set(k, v);
    for (const [k, v] of this.bbr) this.ram.set(k, v);
    this.enterTimeMode();
  }

  private boot(): void {
    this.reload();
    this.epochCount = 0;
    this.hangAfter = undefined;
    this.inbox = [];
  }

  powerCycle(): Transmission[] {
    if (!this.model.backupBattery) this.bbr.clear();
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
      const nmea = NMEA_ORDER.filter(due).map((name) => nmeaSentence(name, "GN", utcSecond, sky)).join("");
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
        return monHw(12);
      case "MON-RF":
        return monRf(12);
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

