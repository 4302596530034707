/*
 * `stratum1ctl chrony` as text: chrony's tracking, then its sources merged
 * with their statistics (what `chronyc sources` and `sourcestats` show, read
 * from `chronyc -c`), each refclock annotated with what stratum1d knows of
 * it: which of its outputs feeds it and how many samples it delivered. Pure:
 * parsed chronyc records and the snapshot in, text out.
 */
import type { ChronySourceStats } from "../../chrony/chronycCsv.js";
import type { ChronySource, ChronyTracking } from "../../status/contract.js";
import type { SinkStatus } from "../../status/contract.js";
import type { StatusSnapshot } from "../../status/contract.js";
import { formatOffset, ppm, section } from "./format.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

export interface ChronyReadings {
  tracking: ChronyTracking | undefined;
  sources: ChronySource[];
  stats: ChronySourceStats[];
}

/** What stratum1d feeds chrony: refid (as README's chrony lines set it) → the sink that delivers it. */
export interface OwnRefclock {
  refid: string;
  what: string;
  sink: string;
  status: SinkStatus | null;
}

/** chronyc's state characters (chronyc(1), "sources"). */
const STATE: Record<string, string> = { "*": "selected", "+": "combined", "-": "not combined", "?": "unreachable", x: "falseticker", "~": "too variable" };
const MODE: Record<string, string> = { "^": "server", "=": "peer", "#": "refclock" };

/** stratum1d's refclocks from its config (chrony.sock → NMEA, pps.sock → PPS) and their counts from the snapshot, when there is one. */
export function ownRefclocks(cfg: { nmeaSock: string | null; ppsSock: string | null }, s: StatusSnapshot | undefined): OwnRefclock[] {
  const out: OwnRefclock[] = [];
  if (cfg.ppsSock) {
    const sink = `chrony-sock:${cfg.ppsSock}`;
    out.push({ refid: "PPS", what: "stratum1d's labelled pulses (pps.sock)", sink, status: s?.pps?.sinks[sink] ?? null });
  }
  if (cfg.nmeaSock) {
    const sink = `chrony-sock:${cfg.nmeaSock}`;
    out.push({ refid: "NMEA", what: "stratum1d's NMEA samples (chrony.sock)", sink, status: s?.sinks[sink] ?? null });
  }
  return out;
}

function trackingRows(t: ChronyTracking | undefined, style: Style): Array<[string, string]> {
  if (!t) return [["tracking", "no answer"]];
  const synced = t.leap !== "unsynchronised";
  return [
    ["reference", `${synced ? style.ok(t.refName) : style.bad("none: not synchronised")} (ref id ${t.refId}), stratum ${t.stratum}`],
    ["system time", `${formatOffset(t.systemOffsetS)} from true time (+: local clock ahead)`],
    ["last offset", `${formatOffset(t.lastOffsetS)}, rms ${formatOffset(t.rmsOffsetS).slice(1)}`],
    ["frequency", `${ppm(t.frequencyPpm)}, skew ${t.skewPpm.toFixed(3)} ppm`],
    ["root", `delay ${formatOffset(t.rootDelayS).slice(1)}, dispersion ${formatOffset(t.rootDispersionS).slice(1)}`],
    ["leap status", t.leap],
  ];
}

export function renderChrony(r: ChronyReadings, own: readonly OwnRefclock[], ctx: { socket: string; snapshotNote: string | null }, style: Style): string {
  const head = section(`chrony (${ctx.socket})`, trackingRows(r.tracking, style), style.bold);
  const statsOf = (name: string): ChronySourceStats | undefined => r.stats.find((x) => x.name === name);
  const ownOf = (src: ChronySource): OwnRefclock | undefined => (src.mode === "#" ? own.find((o) => o.refid === src.name) : undefined);
  const rows = r.sources.map((src) => {
    const st = statsOf(src.name);
    const mine = ownOf(src);
    const state = STATE[src.state] ?? src.state;
    const paint = src.state === "*" ? style.ok : src.state === "?" || src.state === "x" ? style.bad : (t: string) => t;
    return [
      paint(`${src.state} ${state}`),
      `${src.name} (${MODE[src.mode] ?? src.mode})`,
      String(src.stratum),
      String(src.poll),
      src.reach.toString(8).padStart(3, "0"),
      src.lastRxAgoS !== null ? `${src.lastRxAgoS}s` : "-",
      formatOffset(src.measuredOffsetS),
      `±${formatOffset(src.errorS).slice(1)}`,
      st ? formatOffset(st.stdDevS).slice(1) : "-",
      st ? ppm(st.frequencyPpm) : "-",
      mine ? `stratum1d: ${mine.status ? `${mine.status.delivered} sent, ${mine.status.state}` : "configured"}` : "",
    ];
  });
  const table =
    rows.length > 0
      ? renderTable(
          [
            { title: "state" },
            { title: "source" },
            { title: "str", align: "right" },
            { title: "poll", align: "right" },
            { title: "reach", align: "right" },
            { title: "last rx", align: "right" },
            { title: "last sample", align: "right" },
            { title: "error", align: "right" },
            { title: "std dev", align: "right" },
            { title: "frequency", align: "right" },
            { title: "" },
          ],
          rows,
        )
      : "  chronyd has no sources\n";
  const missing = own.filter((o) => !r.sources.some((src) => src.mode === "#" && src.name === o.refid));
  const ownLines = own.map((o) => `  ${o.refid}: ${o.what} → ${o.sink}${o.status ? `: ${o.status.delivered} delivered, ${o.status.failed} failed, ${o.status.state}` : ""}`);
  const hints = missing.map(
    (o) =>
      `  ${style.warn(`chrony has no refclock with refid ${o.refid}`)}: add 'refclock SOCK ${o.sink.slice("chrony-sock:".length)} refid ${o.refid} …' to chrony's config (README: "Installing on a Pi") and restart chrony`,
  );
  return [
    head,
    `\n${style.bold("Sources")} (chronyc -c sources + sourcestats; last sample: + means the local clock is ahead)\n`,
    table,
    `\n${style.bold("stratum1d's refclocks")}${ctx.snapshotNote ? ` (${ctx.snapshotNote})` : ""}\n`,
    ownLines.length > 0 ? ownLines.join("\n") + "\n" : "  none configured (chrony.sock and pps.sock are off)\n",
    hints.length > 0 ? hints.join("\n") + "\n" : "",
  ].join("");
}
