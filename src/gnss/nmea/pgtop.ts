/*
 * PGTOP — MediaTek (MT3339, the Adafruit Ultimate GPS HAT) antenna advisor.
 *  $PGTOP,11,x*hh   x: 1 active antenna shorted, 2 internal patch antenna in use,
 *                      3 active antenna in use
 * "Internal" is how the chip says no external antenna draws current: open
 * cable, or none fitted. On a HAT used with its own patch that is normal, so
 * it is "ok" with the source saying which. The chip repeats this every few
 * seconds: no text, so nothing is logged unless the state changes.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";

export function decodePgtop(s: Sentence): Decoded {
  if (s.fields[0] !== "11") return rejected("unsupported-sentence", `PGTOP,${s.fields[0] ?? ""}`);
  const code = s.fields[1];
  if (code === "1") return decoded({ source: "PGTOP", antenna: "short" });
  if (code === "2") return decoded({ source: "PGTOP internal antenna", antenna: "ok" });
  if (code === "3") return decoded({ source: "PGTOP", antenna: "ok" });
  return rejected("malformed-sentence", `PGTOP antenna status ${JSON.stringify(code ?? "")}`);
}
