/*
 * PMTK705 — MediaTek's answer to PMTK605 (query release), also sent by some
 * modules at start-up.
 *          1                      2    3    4
 *  $PMTK705,AXN_2.31_3339_13101700,5632,PA6H,1.0*hh
 *  1 firmware release, 2 build id, 3 product model (may be empty), 4 SDK version.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import type { Sentence } from "./sentence.js";

export function decodePmtk705(s: Sentence): Decoded {
  const [release = "", build = "", model = ""] = s.fields;
  if (release === "") return rejected("malformed-sentence", "PMTK705 without a release string");
  return decoded({
    source: "PMTK705",
    receiver: { vendor: "MediaTek", firmware: build ? `${release} (build ${build})` : release, ...(model ? { model } : {}) },
  });
}
