/*
 * Moving the receiver to a faster rate (serial.baud = auto with a target):
 * at 9600 baud a u-blox epoch with the sky in it takes most of a second to
 * send, at 115200 a tenth of that. The receiver switches as soon as it has
 * processed the command and answers, if at all, at the new rate (a u-blox
 * ACK for CFG-PRT or CFG-UART1-BAUDRATE is sent at the new rate; MediaTek
 * does not acknowledge PMTK251, L80 spec §3.3). So the box does not wait
 * for an answer: it lets the command drain, follows to the new rate, and
 * asks the receiver who it is. No answer there means the change did not
 * happen: the box goes back and says so.
 *
 * u-blox legacy: CFG-PRT carries the whole port configuration, so UART1's
 * is polled first (poll by portID) and sent back with only the rate
 * changed, leaving its protocol masks as the owner set them.
 * Gen9: CFG-UART1-BAUDRATE. Both assume UART1, the one wired to the Pi
 * header on NEO/LEA/ZED modules; a receiver on USB has no rate to change
 * (the integrator skips the change for /dev/ttyACM*).
 */
import { pmtk251, pmtk605, PMTK_BAUD_RATES } from "../nmea/pmtkCommands.js";
import type { PortSettings } from "../ubx/cfgPrt.js";
import { cfgPrt, cfgPrtPoll } from "../ubx/cfgPrt.js";
import { KEYS } from "../ubx/cfgKeys.js";
import { cfgValSet } from "../ubx/cfgVal.js";
import { UBX } from "../ubx/messageIds.js";
import { ubxPoll } from "../ubx/poll.js";
import type { IdentifiedReceiver } from "./identity.js";
import type { ReceiverLink } from "../../hal/receiverLink.js";
import type { ReplyWaiter } from "./replyWaiter.js";

export interface BaudChangeResult {
  ok: boolean;
  from: number;
  to: number;
  /** The rate the host and receiver are at now. */
  baud: number;
  detail: string;
}

/** Time for the receiver to act on the command after its last byte. */
const APPLY_MS = 100;

async function answersAt(link: ReceiverLink, waiter: ReplyWaiter, rx: IdentifiedReceiver, timeoutMs: number): Promise<boolean> {
  const [probe, source] = rx.family === "mediatek" ? [pmtk605(), "PMTK705"] : [ubxPoll(UBX.MON_VER), "UBX-MON-VER"];
  for (let i = 0; i < 2; i++) {
    const heard = waiter.waitFor((h) => (h.report?.source === source ? true : undefined), timeoutMs);
    await link.write(probe);
    if (await heard) return true;
  }
  return false;
}

async function uart1Port(link: ReceiverLink, waiter: ReplyWaiter, timeoutMs: number): Promise<PortSettings | undefined> {
  for (let i = 0; i < 2; i++) {
    const reply = waiter.waitFor((h) => (h.report?.control?.kind === "cfg-prt" && h.report.control.settings.portId === 1 ? h.report.control.settings : undefined), timeoutMs);
    await link.write(cfgPrtPoll(1));
    const s = await reply;
    if (s) return s;
  }
  return undefined;
}

export async function changeBaud(rx: IdentifiedReceiver, link: ReceiverLink, waiter: ReplyWaiter, to: number, persist: boolean, timeoutMs: number): Promise<BaudChangeResult> {
  const from = link.baud;
  const fail = (detail: string, baud = from): BaudChangeResult => ({ ok: false, from, to, baud, detail });
  if (from === to) return { ok: true, from, to, baud: to, detail: `already at ${to} baud` };
  let command: Buffer;
  if (rx.family === "mediatek") {
    if (!(PMTK_BAUD_RATES as readonly number[]).includes(to)) return fail(`MediaTek offers ${PMTK_BAUD_RATES.join(", ")} baud, not ${to}: choose one of them for serial.target-baud`);
    command = pmtk251(to);
  } else if (rx.family === "u-blox" && rx.configInterface === "valset") {
    command = cfgValSet({ ram: true, bbr: persist, flash: persist }, [{ key: KEYS.UART1_BAUDRATE, value: to }]);
  } else if (rx.family === "u-blox") {
    const port = await uart1Port(link, waiter, timeoutMs);
    if (!port) return fail(`no answer to the CFG-PRT poll for UART1 at ${from} baud: staying at ${from}`);
    command = cfgPrt({ ...port, baud: to });
  } else {
    return fail("an NMEA-only receiver cannot be told to change rate: set serial.baud to its rate");
  }
  try {
    await link.write(command);
  } catch (err) {
    return fail(`writing the rate change failed (${(err as Error).message}): staying at ${from}`);
  }
  await waiter.sleep(APPLY_MS);
  await link.setBaud(to);
  if (await answersAt(link, waiter, rx, timeoutMs)) return { ok: true, from, to, baud: to, detail: `receiver moved from ${from} to ${to} baud` };
  await link.setBaud(from);
  if (await answersAt(link, waiter, rx, timeoutMs)) return fail(`the receiver stayed at ${from} baud: it did not take the change to ${to} (does its firmware offer that rate?)`);
  return fail(`the receiver answers at neither ${to} nor ${from} baud after the rate change: searching for it`, from);
}
