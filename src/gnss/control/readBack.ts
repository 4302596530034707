/*
 * `stratum1ctl gps config --show`: the receiver's settings as it reports
 * them, not as the box believes it set them. Legacy receivers are polled
 * message by message (CFG-PRT, CFG-RATE, CFG-TP5, CFG-NAV5 or CFG-TMODE2,
 * CFG-MSG per output), Gen9 ones read with CFG-VALGET from the RAM layer
 * (what is in force). The documented MediaTek command set has no query for
 * its pulse settings, so that is said rather than guessed.
 */
import { KEYS, MSGOUT_UART1, type ConfigKey, type MsgOutName } from "../ubx/cfgKeys.js";
import { cfgMsgPoll } from "../ubx/cfgMsg.js";
import { cfgPrtPoll } from "../ubx/cfgPrt.js";
import { cfgTp5Poll, type Tp5Settings } from "../ubx/cfgTp5.js";
import { cfgValGet, MAX_KEYS_PER_MESSAGE, type ConfigValue } from "../ubx/cfgVal.js";
import { encodeUbx } from "../ubx/frame.js";
import { NMEA_MSG, UBX, type UbxMessageId } from "../ubx/messageIds.js";
import type { ControlReply } from "../receiverReports.js";
import type { IdentifiedReceiver, UbloxReceiver } from "./identity.js";
import type { ReceiverLink } from "../../hal/receiverLink.js";
import type { ReplyWaiter } from "./replyWaiter.js";

export interface ReadBackItem {
  name: string;
  /** What the receiver says; undefined when it refused or did not answer (see detail). */
  value: string | undefined;
  detail: string;
}

const DYN_MODELS: Record<number, string> = { 0: "portable", 2: "stationary", 3: "pedestrian", 4: "automotive", 5: "sea", 6: "airborne <1g", 7: "airborne <2g", 8: "airborne <4g", 9: "wrist" };
const GRIDS = ["UTC", "GPS", "GLONASS", "BeiDou", "Galileo"];

const describeTp5 = (t: Tp5Settings): string =>
  [
    t.active ? "on" : "off",
    t.isFreq ? `${t.freqPeriodLock} Hz locked` : `period ${t.freqPeriodLock} µs locked`,
    t.isLength ? `${t.pulseLenRatioLock} µs long (${t.lockedOtherSet ? `${t.pulseLenRatio} µs unlocked` : "same unlocked"})` : `ratio ${t.pulseLenRatioLock}`,
    `${GRIDS[t.grid] ?? `grid ${t.grid}`} grid`,
    t.polarityRising ? "rising edge" : "falling edge",
    `cable delay ${t.antCableDelayNs} ns`,
  ].join(", ");

type Pick<T> = (c: ControlReply) => T | undefined;

async function poll<T>(link: ReceiverLink, waiter: ReplyWaiter, bytes: Buffer, of: UbxMessageId, pick: Pick<T>, timeoutMs: number): Promise<T | "refused" | undefined> {
  for (let i = 0; i < 2; i++) {
    const reply = waiter.waitFor<T | "refused">((h) => {
      const c = h.report?.control;
      if (!c) return undefined;
      if (c.kind === "ubx-ack" && !c.accepted && c.of.msgClass === of.msgClass && c.of.msgId === of.msgId) return "refused";
      return pick(c);
    }, timeoutMs);
    await link.write(bytes);
    const r = await reply;
    if (r !== undefined) return r;
  }
  return undefined;
}

const item = <T>(name: string, r: T | "refused" | undefined, show: (v: T) => string): ReadBackItem =>
  r === undefined
    ? { name, value: undefined, detail: `${name}: no answer` }
    : r === "refused"
      ? { name, value: undefined, detail: `${name}: refused (NAK) by this firmware` }
      : { name, value: show(r), detail: `${name}: ${show(r)}` };

async function legacy(rx: UbloxReceiver, link: ReceiverLink, waiter: ReplyWaiter, outputs: readonly string[], timeoutMs: number): Promise<ReadBackItem[]> {
  const items: ReadBackItem[] = [];
  const emptyPoll = (m: UbxMessageId): Buffer => encodeUbx(m.msgClass, m.msgId, Buffer.alloc(0));
  items.push(
    item(
      "port",
      await poll(link, waiter, cfgPrtPoll(1), UBX.CFG_PRT, (c) => (c.kind === "cfg-prt" && c.settings.portId === 1 ? c.settings : undefined), timeoutMs),
      (p) => `port ${p.portId}, ${p.baud} baud, out ${[p.output.ubx && "UBX", p.output.nmea && "NMEA"].filter(Boolean).join("+") || "nothing"}`,
    ),
  );
  items.push(
    item(
      "rate",
      await poll(link, waiter, emptyPoll(UBX.CFG_RATE), UBX.CFG_RATE, (c) => (c.kind === "cfg-rate" ? c.settings : undefined), timeoutMs),
      (r) => `${r.measRateMs} ms × ${r.navRate}, aligned to ${GRIDS[r.timeRef] ?? r.timeRef}`,
    ),
  );
  items.push(item("time pulse", await poll(link, waiter, cfgTp5Poll(0), UBX.CFG_TP5, (c) => (c.kind === "cfg-tp5" ? c.settings : undefined), timeoutMs), describeTp5));
  if (rx.timeMode === "tmode2") {
    items.push(
      item("time mode", await poll(link, waiter, emptyPoll(UBX.CFG_TMODE2), UBX.CFG_TMODE2, (c) => (c.kind === "cfg-tmode2" ? c.settings : undefined), timeoutMs), (t) =>
        t.mode === "fixed"
          ? `fixed at ECEF ${t.ecefCm.x / 100}, ${t.ecefCm.y / 100}, ${t.ecefCm.z / 100} m (±${t.fixedPosAccMm / 1000} m)`
          : t.mode === "survey-in"
            ? `survey-in, at least ${t.svinMinDurS} s to ${t.svinAccLimitMm / 1000} m`
            : "disabled",
      ),
    );
  } else {
    items.push(
      item(
        "navigation model",
        await poll(link, waiter, emptyPoll(UBX.CFG_NAV5), UBX.CFG_NAV5, (c) => (c.kind === "cfg-nav5" ? c.settings : undefined), timeoutMs),
        (n) => DYN_MODELS[n.dynModel] ?? `model ${n.dynModel}`,
      ),
    );
  }
  const rates: string[] = [];
  for (const name of outputs) {
    const m = (NMEA_MSG as Record<string, UbxMessageId>)[name] ?? Object.values(UBX).find((u) => u.name === name);
    if (!m) continue;
    const r = await poll(
      link,
      waiter,
      cfgMsgPoll(m),
      UBX.CFG_MSG,
      (c) => (c.kind === "cfg-msg" && c.rates.message.msgClass === m.msgClass && c.rates.message.msgId === m.msgId ? c.rates : undefined),
      timeoutMs,
    );
    rates.push(r === undefined ? `${name} ?` : r === "refused" ? `${name} n/a` : `${name} ${r.ports?.uart1 ?? r.currentPort}`);
  }
  items.push({ name: "outputs", value: rates.join(", "), detail: `outputs (UART1, per epoch): ${rates.join(", ")}` });
  return items;
}

async function valget(rx: UbloxReceiver, link: ReceiverLink, waiter: ReplyWaiter, outputs: readonly string[], timeoutMs: number): Promise<ReadBackItem[]> {
  const keys: ConfigKey[] = [
    KEYS.UART1_BAUDRATE,
    KEYS.RATE_MEAS,
    KEYS.RATE_NAV,
    KEYS.RATE_TIMEREF,
    KEYS.TP_TP1_ENA,
    KEYS.TP_PERIOD_LOCK_TP1,
    KEYS.TP_LEN_LOCK_TP1,
    KEYS.TP_LEN_TP1,
    KEYS.TP_USE_LOCKED_TP1,
    KEYS.TP_TIMEGRID_TP1,
    KEYS.TP_POL_TP1,
    KEYS.TP_ANT_CABLEDELAY,
  ];
  keys.push(...(rx.timeMode ? [KEYS.TMODE_MODE, KEYS.TMODE_SVIN_MIN_DUR, KEYS.TMODE_SVIN_ACC_LIMIT, KEYS.TMODE_ECEF_X, KEYS.TMODE_ECEF_Y, KEYS.TMODE_ECEF_Z] : [KEYS.NAVSPG_DYNMODEL]));
  const outKeys = outputs.filter((n): n is MsgOutName => n in MSGOUT_UART1).map((n) => MSGOUT_UART1[n]);
  keys.push(...outKeys);
  const values = new Map<number, ConfigValue["value"]>();
  let refused = false;
  for (let at = 0; at < keys.length; at += MAX_KEYS_PER_MESSAGE) {
    const chunk = keys.slice(at, at + MAX_KEYS_PER_MESSAGE);
    const r = await poll(link, waiter, cfgValGet("ram", chunk), UBX.CFG_VALGET, (c) => (c.kind === "config-values" ? c.values : undefined), timeoutMs);
    if (r === "refused") refused = true;
    else if (r) for (const v of r) values.set(v.key.id, v.value);
  }
  const get = (k: ConfigKey): string => (values.has(k.id) ? String(values.get(k.id)) : "?");
  const why = refused ? " (some keys refused by this firmware)" : values.size === 0 ? " (no answer)" : "";
  const mk = (name: string, value: string): ReadBackItem => ({ name, value: values.size ? value : undefined, detail: `${name}: ${value}${why}` });
  const items = [
    mk("port", `UART1 ${get(KEYS.UART1_BAUDRATE)} baud`),
    mk("rate", `${get(KEYS.RATE_MEAS)} ms × ${get(KEYS.RATE_NAV)}, aligned to ${GRIDS[Number(get(KEYS.RATE_TIMEREF))] ?? get(KEYS.RATE_TIMEREF)}`),
    mk(
      "time pulse",
      `${get(KEYS.TP_TP1_ENA) === "true" ? "on" : "off"}, period ${get(KEYS.TP_PERIOD_LOCK_TP1)} µs locked, ${get(KEYS.TP_LEN_LOCK_TP1)} µs long (${get(KEYS.TP_USE_LOCKED_TP1) === "true" ? `${get(KEYS.TP_LEN_TP1)} µs unlocked` : "same unlocked"}), ${GRIDS[Number(get(KEYS.TP_TIMEGRID_TP1))] ?? "?"} grid, ${get(KEYS.TP_POL_TP1) === "true" ? "rising edge" : "falling edge"}, cable delay ${get(KEYS.TP_ANT_CABLEDELAY)} ns`,
    ),
  ];
  if (rx.timeMode) {
    const mode = get(KEYS.TMODE_MODE);
    items.push(
      mk(
        "time mode",
        mode === "2"
          ? `fixed at ECEF ${Number(get(KEYS.TMODE_ECEF_X)) / 100}, ${Number(get(KEYS.TMODE_ECEF_Y)) / 100}, ${Number(get(KEYS.TMODE_ECEF_Z)) / 100} m`
          : mode === "1"
            ? `survey-in, at least ${get(KEYS.TMODE_SVIN_MIN_DUR)} s to ${Number(get(KEYS.TMODE_SVIN_ACC_LIMIT)) / 10_000} m`
            : "disabled",
      ),
    );
  } else {
    items.push(mk("navigation model", DYN_MODELS[Number(get(KEYS.NAVSPG_DYNMODEL))] ?? get(KEYS.NAVSPG_DYNMODEL)));
  }
  items.push(
    mk(
      "outputs",
      outputs
        .filter((n) => n in MSGOUT_UART1)
        .map((n) => `${n} ${get(MSGOUT_UART1[n as MsgOutName])}`)
        .join(", "),
    ),
  );
  return items;
}

/** Reads back the settings the box manages; `outputs` are the message names to report rates for (the plan's). */
export async function readBack(rx: IdentifiedReceiver, link: ReceiverLink, waiter: ReplyWaiter, outputs: readonly string[], timeoutMs: number): Promise<ReadBackItem[]> {
  if (rx.family === "mediatek")
    return [
      {
        name: "settings",
        value: undefined,
        detail: "MediaTek settings are not read back (the documented MT3339 command set has no query for the pulse settings): see the configuration log for what was acknowledged",
      },
    ];
  if (rx.family === "nmea") return [{ name: "settings", value: undefined, detail: "an NMEA-only receiver has no settings the box can read" }];
  return rx.configInterface === "valset" ? valget(rx, link, waiter, outputs, timeoutMs) : legacy(rx, link, waiter, outputs, timeoutMs);
}
