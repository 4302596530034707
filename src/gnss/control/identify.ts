/*
 * Finding out what is attached: ask in both languages, UBX first (the
 * commonest timing receivers), then MediaTek. Each question is harmless to
 * a receiver that does not speak it: a u-blox ignores $PMTK605, a MediaTek
 * ignores the binary MON-VER poll. A receiver that answers neither but
 * sends NMEA is listened to without being configured.
 */
import { pmtk605 } from "../nmea/pmtkCommands.js";
import type { ReceiverIdentity } from "../report.js";
import { UBX } from "../ubx/messageIds.js";
import { ubxPoll } from "../ubx/poll.js";
import { classifyMediatek, classifyUblox, type IdentifiedReceiver } from "./identity.js";
import type { ReceiverLink } from "../../hal/receiverLink.js";
import type { Heard, ReplyWaiter } from "./replyWaiter.js";

export interface Identification {
  receiver: IdentifiedReceiver | undefined;
  identity: ReceiverIdentity | undefined;
  /** One sentence for the log. */
  detail: string;
}

async function ask(link: ReceiverLink, waiter: ReplyWaiter, bytes: Buffer, source: string, timeoutMs: number, tries: number): Promise<ReceiverIdentity | undefined> {
  for (let i = 0; i < tries; i++) {
    const reply = waiter.waitFor((h: Heard) => (h.report?.source === source ? h.report.receiver : undefined), timeoutMs);
    await link.write(bytes);
    const id = await reply;
    if (id) return id;
  }
  return undefined;
}

/** heardNmea: whether NMEA arrived meanwhile (a receiver is there, it just does not answer). */
export async function identify(link: ReceiverLink, waiter: ReplyWaiter, heardNmea: () => boolean, timeoutMs: number, tries: number): Promise<Identification> {
  const ubx = await ask(link, waiter, ubxPoll(UBX.MON_VER), "UBX-MON-VER", timeoutMs, tries);
  if (ubx) return { receiver: classifyUblox(ubx), identity: ubx, detail: "answered UBX MON-VER" };
  const mtk = await ask(link, waiter, pmtk605(), "PMTK705", timeoutMs, tries);
  if (mtk) return { receiver: classifyMediatek(mtk), identity: mtk, detail: "answered PMTK605" };
  if (heardNmea()) return { receiver: { family: "nmea" }, identity: undefined, detail: "sends NMEA but answers neither UBX MON-VER nor PMTK605: listening only" };
  return { receiver: undefined, identity: undefined, detail: `no answer to MON-VER or PMTK605 and no NMEA at ${link.baud} baud` };
}
