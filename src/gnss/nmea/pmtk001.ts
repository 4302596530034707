/*
 * PMTK001 — MediaTek's acknowledgement of a PMTK command.
 *           1   2
 *  $PMTK001,Cmd,Flag*hh     e.g. $PMTK001,604,3*32 (GlobalTop PMTK command packet Rev. A08)
 *  1 the command answered, 2 flag: 0 invalid packet, 1 unsupported packet
 *  type, 2 valid packet but action failed, 3 valid packet, action succeeded.
 * Some firmware appends data after the flag (PMTK660's reply carries a
 * bitmask); it is ignored here.
 */
import type { PmtkAckFlag } from "../receiverReports.js";
import { decoded, rejected, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";

export function decodePmtk001(s: Sentence): Decoded {
  const [cmd = "", flag = ""] = s.fields.map((f) => f.trim());
  if (!/^\d{1,3}$/.test(cmd) || !/^[0-3]$/.test(flag)) return rejected("malformed-sentence", `PMTK001 ${JSON.stringify(s.fields.join(","))}: expected command number and flag 0..3`);
  return decoded({ source: "PMTK001", control: { kind: "pmtk-ack", command: Number(cmd), flag: Number(flag) as PmtkAckFlag } });
}
