/*
 * The frames that make a u-blox receiver into this box's time source, in
 * the language its protocol version speaks (see identity.ts):
 *
 *   legacy (protocol < 27)             Gen9/M10 (CFG-VALSET, one message per concern)
 *   CFG-RATE  1 Hz, UTC                "rate"        CFG-RATE-MEAS/NAV/TIMEREF
 *   CFG-MSG × n  outputs on/off        "outputs"     CFG-UART1OUTPROT-*, CFG-MSGOUT-*_UART1
 *   CFG-TP5   pulse                    "time pulse"  CFG-TP-*
 *   CFG-NAV5  stationary (navigation)  "navigation"  CFG-NAVSPG-DYNMODEL
 *   CFG-TMODE2 (M8T) survey or fixed   "time mode"   CFG-TMODE-*  (F9T)
 *   CFG-CFG   save (when asked)        layers RAM+BBR+flash in each VALSET
 *
 * Outputs: the NMEA the owner keeps, UBX NAV-PVT (time, fix), TIM-TP (the
 * next pulse's qErr), NAV-TIMELS (leap seconds), NAV-STATUS (spoofing),
 * NAV-SAT (the sky), MON-HW (M8) or MON-RF (Gen9) for antenna and jamming,
 * and the survey-in message while a timing receiver surveys. The sky and
 * monitor messages come every fifth second: they change slowly and are the
 * bulk of the bytes. Every other standard NMEA sentence is turned off, so
 * less stands between the pulse and the epoch's time on the wire.
 * A VALSET is all or nothing, so keys are grouped by what they do: a
 * refusal then names one concern, and the rest still applies.
 */
import { cfgCfgSaveAll } from "../ubx/cfgCfg.js";
import { KEYS, MSGOUT_UART1, type MsgOutName } from "../ubx/cfgKeys.js";
import { cfgMsgSet } from "../ubx/cfgMsg.js";
import { cfgNav5DynModel, DYN_MODEL_STATIONARY } from "../ubx/cfgNav5.js";
import { cfgRate } from "../ubx/cfgRate.js";
import { cfgTmode2, type TimeModeName } from "../ubx/cfgTmode2.js";
import { cfgTmode3 } from "../ubx/cfgTmode3.js";
import { cfgTp5 } from "../ubx/cfgTp5.js";
import { cfgValSet, type ConfigValue, type LayerSet } from "../ubx/cfgVal.js";
import { NMEA_MSG, UBX, type NmeaSentenceName, type UbxMessageId } from "../ubx/messageIds.js";
import { ecefCmHp, outputLoad, type ConfigPlan, type ConfigStep } from "./configPlan.js";
import type { UbloxReceiver } from "./identity.js";
import type { ReceiverSettings, SurveyedPosition } from "./settings.js";

const ubxAck = (m: UbxMessageId): ConfigStep["expect"] => ({ kind: "ubx-ack", msgClass: m.msgClass, msgId: m.msgId });

interface Output {
  name: MsgOutName;
  message: UbxMessageId;
  every: number;
}

/** The UBX messages this receiver should send, by generation and role. */
function ubxOutputs(rx: UbloxReceiver, surveying: boolean): { outputs: Output[]; notes: string[] } {
  const notes: string[] = [];
  const gen9 = rx.configInterface === "valset";
  const outputs: Output[] = [
    { name: "NAV-PVT", message: UBX.NAV_PVT, every: 1 },
    { name: "TIM-TP", message: UBX.TIM_TP, every: 1 },
    { name: "NAV-STATUS", message: UBX.NAV_STATUS, every: 5 },
    { name: "NAV-SAT", message: UBX.NAV_SAT, every: 5 },
    gen9 ? { name: "MON-RF", message: UBX.MON_RF, every: 5 } : { name: "MON-HW", message: UBX.MON_HW, every: 5 },
  ];
  // NAV-TIMELS appeared with protocol 17; older firmware would refuse the CFG-MSG.
  if (rx.protocol === 0 || rx.protocol >= 17) outputs.splice(2, 0, { name: "NAV-TIMELS", message: UBX.NAV_TIMELS, every: 1 });
  else notes.push(`protocol ${rx.protocol.toFixed(2)} has no NAV-TIMELS: leap-second announcements come only from the receiver's time messages`);
  if (rx.timeMode === "tmode2") outputs.push({ name: "TIM-SVIN", message: UBX.TIM_SVIN, every: surveying ? 1 : 0 });
  if (rx.timeMode === "tmode3") outputs.push({ name: "NAV-SVIN", message: UBX.NAV_SVIN, every: surveying ? 1 : 0 });
  return { outputs, notes };
}

function nmeaOutputs(s: ReceiverSettings): { name: NmeaSentenceName; every: number }[] {
  return (Object.keys(NMEA_MSG) as NmeaSentenceName[]).map((name) => ({ name, every: s.nmea.find((n) => n.sentence === name)?.every ?? 0 }));
}

const PERIOD_US = 1_000_000;

function timeModeSettings(s: ReceiverSettings): { mode: TimeModeName; position: SurveyedPosition | undefined } {
  return s.fixedPosition ? { mode: "fixed", position: s.fixedPosition } : { mode: "survey-in", position: undefined };
}

function legacySteps(rx: UbloxReceiver, s: ReceiverSettings, outputs: Output[], nmea: { name: NmeaSentenceName; every: number }[]): ConfigStep[] {
  const steps: ConfigStep[] = [{ name: "CFG-RATE", bytes: cfgRate({ measRateMs: 1000, navRate: 1, timeRef: 0 }), expect: ubxAck(UBX.CFG_RATE), what: "one solution a second, aligned to UTC" }];
  const what = (name: string, every: number): string => (every === 0 ? `${name} off` : `${name} every ${every === 1 ? "epoch" : `${every} epochs`}`);
  for (const o of outputs) steps.push({ name: `CFG-MSG ${o.name}`, bytes: cfgMsgSet(o.message, o.every), expect: ubxAck(UBX.CFG_MSG), what: what(o.name, o.every), outputs: [o.name] });
  for (const n of nmea) steps.push({ name: `CFG-MSG ${n.name}`, bytes: cfgMsgSet(NMEA_MSG[n.name], n.every), expect: ubxAck(UBX.CFG_MSG), what: what(n.name, n.every), outputs: [n.name] });
  const widthUs = s.pulse.widthMs * 1000;
  steps.push({
    name: "CFG-TP5",
    bytes: cfgTp5({
      tpIdx: 0,
      antCableDelayNs: s.pulse.cableDelayNs,
      rfGroupDelayNs: 0,
      freqPeriod: PERIOD_US,
      freqPeriodLock: PERIOD_US,
      pulseLenRatio: 0,
      pulseLenRatioLock: widthUs,
      userConfigDelayNs: 0,
      active: true,
      lockGnssFreq: true,
      lockedOtherSet: true,
      isFreq: false,
      isLength: true,
      alignToTow: true,
      polarityRising: true,
      grid: 0,
      syncMode: 0,
    }),
    expect: ubxAck(UBX.CFG_TP5),
    what: `1 Hz pulse on the UTC second, ${s.pulse.widthMs} ms, only while locked, cable delay ${s.pulse.cableDelayNs} ns`,
  });
  if (rx.timeMode === "tmode2") {
    const { mode, position } = timeModeSettings(s);
    // TMODE2 has no 0.1 mm part: the nearest cm, not the cm part of cm + HP.
    const cm = position ? { x: Math.round(position.ecefM.x * 100), y: Math.round(position.ecefM.y * 100), z: Math.round(position.ecefM.z * 100) } : { x: 0, y: 0, z: 0 };
    steps.push({
      name: "CFG-TMODE2",
      bytes: cfgTmode2({
        mode,
        ecefCm: cm,
        fixedPosAccMm: position ? Math.round(position.accuracyM * 1000) : 0,
        svinMinDurS: s.survey.minDurationS,
        svinAccLimitMm: Math.round(s.survey.accuracyLimitM * 1000),
      }),
      expect: ubxAck(UBX.CFG_TMODE2),
      what: mode === "fixed" ? "hold the saved position (fixed mode)" : `survey-in for at least ${s.survey.minDurationS} s to ${s.survey.accuracyLimitM} m`,
    });
  } else if (rx.timeMode === undefined) {
    steps.push({ name: "CFG-NAV5", bytes: cfgNav5DynModel(DYN_MODEL_STATIONARY), expect: ubxAck(UBX.CFG_NAV5), what: "stationary dynamic model" });
  } else {
    // A Gen9 timing receiver on the legacy interface does not happen (identity.ts gives it VALSET); TMODE3 for completeness.
    const { mode, position } = timeModeSettings(s);
    const split = position ? ecefCmHp(position) : { cm: { x: 0, y: 0, z: 0 }, hp: { x: 0, y: 0, z: 0 } };
    steps.push({
      name: "CFG-TMODE3",
      bytes: cfgTmode3({
        mode,
        ecefCm: split.cm,
        ecefHp: split.hp,
        fixedPosAcc01Mm: position ? Math.round(position.accuracyM * 10_000) : 0,
        svinMinDurS: s.survey.minDurationS,
        svinAccLimit01Mm: Math.round(s.survey.accuracyLimitM * 10_000),
      }),
      expect: ubxAck(UBX.CFG_TMODE3),
      what: mode === "fixed" ? "hold the saved position (fixed mode)" : `survey-in for at least ${s.survey.minDurationS} s to ${s.survey.accuracyLimitM} m`,
    });
  }
  if (s.persist === "bbr-flash") steps.push({ name: "CFG-CFG", bytes: cfgCfgSaveAll(), expect: ubxAck(UBX.CFG_CFG), what: "save to battery-backed RAM and flash" });
  return steps;
}

function valsetSteps(rx: UbloxReceiver, s: ReceiverSettings, outputs: Output[], nmea: { name: NmeaSentenceName; every: number }[]): ConfigStep[] {
  const layers: LayerSet = { ram: true, bbr: s.persist === "bbr-flash", flash: s.persist === "bbr-flash" };
  const step = (concern: string, values: ConfigValue[], what: string, controls?: readonly string[]): ConfigStep => ({
    name: `CFG-VALSET ${concern}`,
    bytes: cfgValSet(layers, values),
    expect: ubxAck(UBX.CFG_VALSET),
    what,
    ...(controls ? { outputs: controls } : {}),
  });
  const steps: ConfigStep[] = [
    step(
      "rate",
      [
        { key: KEYS.RATE_MEAS, value: 1000 },
        { key: KEYS.RATE_NAV, value: 1 },
        { key: KEYS.RATE_TIMEREF, value: 0 },
      ],
      "one solution a second, aligned to UTC",
    ),
    step(
      "outputs",
      [
        { key: KEYS.UART1OUTPROT_UBX, value: true },
        { key: KEYS.UART1OUTPROT_NMEA, value: true },
        ...outputs.map((o) => ({ key: MSGOUT_UART1[o.name], value: o.every })),
        ...nmea.map((n) => ({ key: MSGOUT_UART1[n.name], value: n.every })),
      ],
      `${[...outputs, ...nmea]
        .filter((o) => o.every > 0)
        .map((o) => o.name)
        .join(", ")} on; other NMEA off`,
      [...outputs, ...nmea].map((o) => o.name),
    ),
    step(
      "time pulse",
      [
        { key: KEYS.TP_TP1_ENA, value: true },
        { key: KEYS.TP_PULSE_DEF, value: 0 },
        { key: KEYS.TP_PULSE_LENGTH_DEF, value: 1 },
        { key: KEYS.TP_PERIOD_TP1, value: PERIOD_US },
        { key: KEYS.TP_LEN_TP1, value: 0 },
        { key: KEYS.TP_PERIOD_LOCK_TP1, value: PERIOD_US },
        { key: KEYS.TP_LEN_LOCK_TP1, value: s.pulse.widthMs * 1000 },
        { key: KEYS.TP_USE_LOCKED_TP1, value: true },
        { key: KEYS.TP_SYNC_GNSS_TP1, value: true },
        { key: KEYS.TP_ALIGN_TO_TOW_TP1, value: true },
        { key: KEYS.TP_POL_TP1, value: true },
        { key: KEYS.TP_TIMEGRID_TP1, value: 0 },
        { key: KEYS.TP_ANT_CABLEDELAY, value: s.pulse.cableDelayNs },
        { key: KEYS.TP_USER_DELAY_TP1, value: 0 },
      ],
      `1 Hz pulse on the UTC second, ${s.pulse.widthMs} ms, only while locked, cable delay ${s.pulse.cableDelayNs} ns`,
    ),
  ];
  if (rx.timeMode === "tmode3") {
    const { mode, position } = timeModeSettings(s);
    const values: ConfigValue[] = [
      { key: KEYS.TMODE_MODE, value: mode === "fixed" ? 2 : 1 },
      { key: KEYS.TMODE_POS_TYPE, value: 0 },
    ];
    if (position) {
      const { cm, hp } = ecefCmHp(position);
      values.push(
        { key: KEYS.TMODE_ECEF_X, value: cm.x },
        { key: KEYS.TMODE_ECEF_Y, value: cm.y },
        { key: KEYS.TMODE_ECEF_Z, value: cm.z },
        { key: KEYS.TMODE_ECEF_X_HP, value: hp.x },
        { key: KEYS.TMODE_ECEF_Y_HP, value: hp.y },
        { key: KEYS.TMODE_ECEF_Z_HP, value: hp.z },
        { key: KEYS.TMODE_FIXED_POS_ACC, value: Math.round(position.accuracyM * 10_000) },
      );
    } else {
      values.push({ key: KEYS.TMODE_SVIN_MIN_DUR, value: s.survey.minDurationS }, { key: KEYS.TMODE_SVIN_ACC_LIMIT, value: Math.round(s.survey.accuracyLimitM * 10_000) });
    }
    steps.push(step("time mode", values, mode === "fixed" ? "hold the saved position (fixed mode)" : `survey-in for at least ${s.survey.minDurationS} s to ${s.survey.accuracyLimitM} m`));
  } else {
    steps.push(step("navigation", [{ key: KEYS.NAVSPG_DYNMODEL, value: DYN_MODEL_STATIONARY }], "stationary dynamic model"));
  }
  return steps;
}

export function planUblox(rx: UbloxReceiver, s: ReceiverSettings): ConfigPlan {
  const surveying = rx.timeMode !== undefined && s.fixedPosition === undefined;
  const { outputs, notes } = ubxOutputs(rx, surveying);
  const nmea = nmeaOutputs(s);
  const steps = rx.configInterface === "valset" ? valsetSteps(rx, s, outputs, nmea) : legacySteps(rx, s, outputs, nmea);
  const all = [...outputs.map((o) => ({ name: o.name as string, every: o.every })), ...nmea];
  return {
    steps,
    output: { everyEpoch: all.filter((o) => o.every === 1).map((o) => o.name), absent: all.filter((o) => o.every === 0).map((o) => o.name) },
    outputNames: all.map((o) => o.name),
    notes,
    load: outputLoad(all),
  };
}
