/*
 * A simulated u-blox's configuration, held as the Gen9 interface
 * descriptions explain it: configuration items (keys) in layers. RAM is in
 * force; BBR and flash hold what was saved; at start RAM is built from the
 * defaults, then flash, then BBR. The legacy CFG messages (CFG-PRT,
 * CFG-MSG, CFG-RATE, CFG-TP5, CFG-NAV5, CFG-TMODE2/3) are views of the same
 * keys, as on a real F9, so one store serves every generation; which
 * messages a receiver accepts is the receiver's business (ubloxReceiver.ts).
 * Assumed (not from a document): the pulse defaults (100 ms, also without
 * a fix), the rest follows the M8/F9 defaults (NMEA GGA GLL GSA GSV RMC VTG
 * on, UBX off, 1 Hz on GPS time, portable model, 50 ns cable delay).
 */
import { KEYS, MSGOUT_UART1, type ConfigKey, type MsgOutName } from "../../src/gnss/ubx/cfgKeys.js";
import { MODE_8N1, type PortSettings } from "../../src/gnss/ubx/cfgPrt.js";
import type { RateSettings } from "../../src/gnss/ubx/cfgRate.js";
import { timeModeCode, timeModeName, type TimeMode2Settings, type TimeModeName } from "../../src/gnss/ubx/cfgTmode2.js";
import type { TimeMode3Settings } from "../../src/gnss/ubx/cfgTmode3.js";
import type { Tp5Settings } from "../../src/gnss/ubx/cfgTp5.js";
import type { ConfigLayer, ConfigValue, LayerSet } from "../../src/gnss/ubx/cfgVal.js";
import type { UbloxModel } from "./ubloxModels.js";

export type Value = number | boolean;
type Layer = Map<number, Value>;

const ALL_MSGOUT = Object.entries(MSGOUT_UART1) as [MsgOutName, ConfigKey][];
const TMODE_KEYS: readonly ConfigKey[] = [
  KEYS.TMODE_MODE,
  KEYS.TMODE_POS_TYPE,
  KEYS.TMODE_ECEF_X,
  KEYS.TMODE_ECEF_Y,
  KEYS.TMODE_ECEF_Z,
  KEYS.TMODE_ECEF_X_HP,
  KEYS.TMODE_ECEF_Y_HP,
  KEYS.TMODE_ECEF_Z_HP,
  KEYS.TMODE_FIXED_POS_ACC,
  KEYS.TMODE_SVIN_MIN_DUR,
  KEYS.TMODE_SVIN_ACC_LIMIT,
];
const ALL_KEYS: readonly ConfigKey[] = [...Object.values(KEYS), ...Object.values(MSGOUT_UART1)];

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
  if (model.timeMode) for (const k of TMODE_KEYS) d.set(k.id, 0);
  return d;
}

export class UbloxConfigStore {
  private readonly defaults: Layer;
  private ram: Layer;
  private readonly bbr: Layer = new Map();
  private readonly flash: Layer = new Map();

  /** onChange: keys of RAM that changed (the receiver re-enters its time mode when those are among them). */
  constructor(
    private readonly model: UbloxModel,
    private readonly onChange: (ids: number[]) => void,
  ) {
    this.defaults = defaultsFor(model);
    this.ram = new Map(this.defaults);
  }

  get(key: ConfigKey): Value {
    return this.ram.get(key.id) ?? this.defaults.get(key.id) ?? 0;
  }

  /** Writes RAM. */
  set(values: readonly (readonly [ConfigKey, Value])[]): void {
    for (const [k, v] of values) this.ram.set(k.id, v);
    this.onChange(values.map(([k]) => k.id));
  }

  /** Keys this firmware has: the general ones, the time-mode ones on a TMODE3 receiver, MSGOUT keys of its outputs. */
  knows(id: number): boolean {
    if (TMODE_KEYS.some((k) => k.id === id)) return this.model.timeMode === "tmode3";
    const out = ALL_MSGOUT.find(([, k]) => k.id === id);
    if (out) return this.model.outputs.includes(out[0]);
    return Object.values(KEYS).some((k) => k.id === id);
  }

  /** A VALSET's values into the layers it names. */
  setLayers(values: readonly ConfigValue[], layers: LayerSet): void {
    for (const v of values) {
      if (layers.bbr) this.bbr.set(v.key.id, v.value);
      if (layers.flash) this.flash.set(v.key.id, v.value);
    }
    if (layers.ram) this.set(values.map((v) => [v.key, v.value] as const));
  }

  /** A VALGET: RAM answers for every key (defaults where unset); BBR and flash only for keys saved there. */
  read(layer: ConfigLayer, ids: readonly number[]): ConfigValue[] {
    const values: ConfigValue[] = [];
    for (const id of ids) {
      const key = ALL_KEYS.find((k) => k.id === id);
      if (!key) continue;
      const v = layer === "ram" ? (this.ram.get(id) ?? this.defaults.get(id)) : layer === "bbr" ? this.bbr.get(id) : layer === "flash" ? this.flash.get(id) : this.defaults.get(id);
      if (v !== undefined) values.push({ key, value: v });
    }
    return values;
  }

  /** CFG-CFG: clear, save (RAM into the devices) and load (rebuild RAM). */
  cfgCfg(devices: { bbr: boolean; flash: boolean }, clear: boolean, save: boolean, load: boolean): void {
    const layers = [devices.bbr ? this.bbr : undefined, devices.flash ? this.flash : undefined].filter((l): l is Layer => l !== undefined);
    if (clear) for (const l of layers) l.clear();
    if (save) for (const l of layers) for (const [k, v] of this.ram) l.set(k, v);
    if (load) this.reload();
  }

  /** Start-up: RAM from the defaults, then flash, then BBR. */
  reload(): void {
    this.ram = new Map(this.defaults);
    for (const [k, v] of this.flash) this.ram.set(k, v);
    for (const [k, v] of this.bbr) this.ram.set(k, v);
    this.onChange(TMODE_KEYS.map((k) => k.id));
  }

  /** Power lost without a backup cell. */
  loseBbr(): void {
    this.bbr.clear();
  }

  // ---- the legacy messages as views of the keys ----------------------------------------------

  port(): PortSettings {
    return {
      portId: 1,
      baud: Number(this.get(KEYS.UART1_BAUDRATE)),
      mode: MODE_8N1,
      input: { ubx: this.get(KEYS.UART1INPROT_UBX) === true, nmea: this.get(KEYS.UART1INPROT_NMEA) === true, rtcm3: false },
      output: { ubx: this.get(KEYS.UART1OUTPROT_UBX) === true, nmea: this.get(KEYS.UART1OUTPROT_NMEA) === true, rtcm3: false },
    };
  }

  setPort(s: PortSettings): void {
    this.set([
      [KEYS.UART1_BAUDRATE, s.baud],
      [KEYS.UART1INPROT_UBX, s.input.ubx],
      [KEYS.UART1INPROT_NMEA, s.input.nmea],
      [KEYS.UART1OUTPROT_UBX, s.output.ubx],
      [KEYS.UART1OUTPROT_NMEA, s.output.nmea],
    ]);
  }

  rate(): RateSettings {
    return { measRateMs: Number(this.get(KEYS.RATE_MEAS)), navRate: Number(this.get(KEYS.RATE_NAV)), timeRef: Number(this.get(KEYS.RATE_TIMEREF)) };
  }

  setRate(s: RateSettings): void {
    this.set([
      [KEYS.RATE_MEAS, s.measRateMs],
      [KEYS.RATE_NAV, s.navRate],
      [KEYS.RATE_TIMEREF, s.timeRef],
    ]);
  }

  tp5(): Tp5Settings {
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
      lockedOtherSet: this.get(KEYS.TP_USE_LOCKED_TP1) === true,
      isFreq: this.get(KEYS.TP_PULSE_DEF) === 1,
      isLength: this.get(KEYS.TP_PULSE_LENGTH_DEF) === 1,
      alignToTow: this.get(KEYS.TP_ALIGN_TO_TOW_TP1) === true,
      polarityRising: this.get(KEYS.TP_POL_TP1) === true,
      grid: Number(this.get(KEYS.TP_TIMEGRID_TP1)),
      syncMode: 0,
    };
  }

  setTp5(s: Tp5Settings): void {
    this.set([
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
  }

  timeMode(): TimeModeName {
    return timeModeName(Number(this.get(KEYS.TMODE_MODE))) ?? "disabled";
  }

  /** TMODE2 carries whole cm and mm; the keys hold cm + 0.1 mm parts and 0.1 mm. */
  tmode2(): TimeMode2Settings {
    const t = this.tmode3();
    return { mode: t.mode, ecefCm: t.ecefCm, fixedPosAccMm: Math.round(t.fixedPosAcc01Mm / 10), svinMinDurS: t.svinMinDurS, svinAccLimitMm: Math.round(t.svinAccLimit01Mm / 10) };
  }

  setTmode2(s: TimeMode2Settings): void {
    this.setTmode3({ mode: s.mode, ecefCm: s.ecefCm, ecefHp: { x: 0, y: 0, z: 0 }, fixedPosAcc01Mm: s.fixedPosAccMm * 10, svinMinDurS: s.svinMinDurS, svinAccLimit01Mm: s.svinAccLimitMm * 10 });
  }

  tmode3(): TimeMode3Settings {
    return {
      mode: this.timeMode(),
      ecefCm: { x: Number(this.get(KEYS.TMODE_ECEF_X)), y: Number(this.get(KEYS.TMODE_ECEF_Y)), z: Number(this.get(KEYS.TMODE_ECEF_Z)) },
      ecefHp: { x: Number(this.get(KEYS.TMODE_ECEF_X_HP)), y: Number(this.get(KEYS.TMODE_ECEF_Y_HP)), z: Number(this.get(KEYS.TMODE_ECEF_Z_HP)) },
      fixedPosAcc01Mm: Number(this.get(KEYS.TMODE_FIXED_POS_ACC)),
      svinMinDurS: Number(this.get(KEYS.TMODE_SVIN_MIN_DUR)),
      svinAccLimit01Mm: Number(this.get(KEYS.TMODE_SVIN_ACC_LIMIT)),
    };
  }

  setTmode3(s: TimeMode3Settings): void {
    this.set([
      [KEYS.TMODE_MODE, timeModeCode(s.mode)],
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
  }

  /** The fixed-mode position the keys hold, ECEF m. */
  fixedPosition(): { x: number; y: number; z: number } {
    const t = this.tmode3();
    const m = (cm: number, hp: number): number => (cm * 100 + hp) / 10_000;
    return { x: m(t.ecefCm.x, t.ecefHp.x), y: m(t.ecefCm.y, t.ecefHp.y), z: m(t.ecefCm.z, t.ecefHp.z) };
  }

  static readonly TMODE_KEY_IDS: readonly number[] = TMODE_KEYS.map((k) => k.id);
}
