/*
 * `stratum1ctl pps` as text: the pulse's state and since when, the learned
 * delay, counts and refusals, the GPIO cross-check when configured, then the
 * recent edges one per line (stamp, label or the reason it got none, delay
 * to the receiver's words) as ppstest and gpsmon's PPS lines let one eyeball
 * them. Pure: snapshot in, text out.
 */
import type { PpsStatus } from "../../status/contract.js";
import type { StatusSnapshot } from "../../status/contract.js";
import type { RecentEdge } from "../../timing/recentEdges.js";
import { counters, formatOffset, section, when } from "./format.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

/** An ISO stamp with up to nanoseconds as [seconds, nanoseconds]: Date.parse would keep milliseconds only. */
export function parseStamp(iso: string): [number, number] {
  const m = /^(.*?)(?:\.(\d{1,9}))?Z$/.exec(iso);
  const sec = Date.parse(`${m?.[1] ?? iso}Z`) / 1000;
  return [sec, Number((m?.[2] ?? "0").padEnd(9, "0"))];
}

/** Which pulse the time names, and how the box knows (timing/edgeDirection.ts). */
function edgeWords(p: PpsStatus, style: Style): string {
  const d = p.edge.direction === "after" ? "the time names the pulse before its words" : "the time names the pulse after its words";
  switch (p.edge.basis) {
    case "configured":
      return `${d} (pps.edge ${p.edgeMode})`;
    case "assumed":
      return style.warn(`${d}: assumed (pps.edge auto; no verified clock to check it against yet)`);
    case "verified":
      return `${d}: verified against chrony's network time`;
    case "remembered":
      return `${d}: verified for this receiver on an earlier run`;
    case "contradicted":
      return style.bad("contradicted by a verified clock: labelling stopped; set pps.edge");
  }
}

/**
 * RMS deviation of consecutive edge intervals from a whole number of
 * seconds, µs, over the listed edges (spurious ones left out): the pulse's jitter as the stamps see
 * it (kernel: well under 1 µs plus the receiver's own; user space: the event
 * loop). null with fewer than two edges.
 */
export function intervalJitterUs(all: readonly RecentEdge[]): number | null {
  // An edge off the grid is noise, not the pulse: it says nothing about the pulse's jitter.
  const edges = all.filter((e) => e.outcome !== "spurious-edge");
  const devs: number[] = [];
  for (let i = 1; i < edges.length; i++) {
    const [s0, n0] = parseStamp(edges[i - 1]!.at);
    const [s1, n1] = parseStamp(edges[i]!.at);
    const span = s1 - s0 + (n1 - n0) / 1e9;
    devs.push((span - Math.round(span)) * 1e6);
  }
  return devs.length > 0 ? Math.sqrt(devs.reduce((a, d) => a + d * d, 0) / devs.length) : null;
}

function outcome(e: RecentEdge, style: Style): string {
  if (e.outcome === "labelled") return style.ok("labelled");
  if (e.outcome === "labelled-by-count") return style.warn("labelled by count (holdover)");
  if (e.outcome === "pending") return style.dim("pending");
  return style.warn(e.outcome);
}

function stateWord(p: PpsStatus, style: Style): string {
  const paint = p.state === "locked" ? style.ok : p.state === "holdover" ? style.warn : style.bad;
  return paint(p.state);
}

export function renderPps(s: StatusSnapshot, nowUs: number, style: Style): string {
  const p = s.pps;
  if (!p) return `${style.bold("PPS")}\n  not configured: pps.sysfs and pps.gpio are off (see README, "The pulse")\n`;
  const jitter = intervalJitterUs(p.recentEdges);
  const rows: Array<[string, string]> = [
    ["state", `${stateWord(p, style)} since ${when(p.since, nowUs)}`],
    ["", p.detail],
    ...p.sources.map((src): [string, string] => [
      "source",
      `${src.name} (${src.stamping} stamps)${src.problem ? `: ${style.bad(src.problem)}` : ""}${src.jitterUs !== null ? `, jitter ${src.jitterUs.toFixed(1)} µs` : ""}`,
    ]),
    [
      "delay",
      p.delayMs !== null
        ? `the receiver's words ${p.edgeMode === "before" ? "precede" : "follow"} the edge by ${p.delayMs.toFixed(1)} ms (jitter ${(p.delayJitterMs ?? 0).toFixed(2)} ms), pps.edge ${p.edgeMode}`
        : `not learned yet (pps.edge ${p.edgeMode})`,
    ],
    ["direction", edgeWords(p, style)],
    ["edges", `${p.counts.edges} seen, ${p.counts.labelled} labelled, ${p.counts.labelledByCount} by count, ${p.counts.missedEdges} missed, ${p.counts.spuriousEdges} spurious`],
    [
      "jitter",
      jitter !== null
        ? `${jitter.toFixed(jitter < 10 ? 2 : 0)} µs rms of the intervals between the last ${p.recentEdges.filter((e) => e.outcome !== "spurious-edge").length} edges on the grid`
        : "needs two edges",
    ],
    ["refused", counters(p.refused)],
    ["last label", p.lastUtc ? `${p.lastUtc} on the edge at ${p.lastEdgeAt ?? "?"}${p.lastOffsetS !== null ? `, offset ${formatOffset(p.lastOffsetS)}` : ""}` : "none yet"],
  ];
  const x = p.crossCheck;
  if (x) {
    const late = x.gpioLateMeanUs !== null ? `, GPIO ${x.gpioLateMeanUs.toFixed(0)} ± ${(x.gpioLateJitterUs ?? 0).toFixed(0)} µs after the kernel` : "";
    rows.push([
      "cross-check",
      `${x.agree ? style.ok("kernel and GPIO agree") : style.bad("kernel and GPIO DISAGREE")}: ${x.paired} paired, ${x.kernelOnly} kernel only, ${x.gpioOnly} GPIO only${late}`,
    ]);
  }
  for (const [name, st] of Object.entries(p.sinks)) rows.push(["output", `${name}: ${st.state}, ${st.delivered} delivered, ${st.failed} failed`]);
  const head = section("PPS", rows, style.bold);
  if (p.recentEdges.length === 0) return `${head}\nNo edge seen yet.\n`;
  const table = renderTable(
    [{ title: "edge stamp (UTC)" }, { title: "seq", align: "right" }, { title: "label" }, { title: "delay ms", align: "right" }, { title: "outcome" }],
    p.recentEdges.map((e) => [e.at, String(e.seq), e.label ?? "-", e.delayMs !== null ? e.delayMs.toFixed(1) : "-", outcome(e, style)]),
  );
  // The explanation of the newest refusal, once: the table only has room for its name.
  const lastRefusal = [...p.recentEdges].reverse().find((e) => e.detail !== null);
  return `${head}\n${style.bold("Recent edges")} (oldest first)\n${table}${lastRefusal ? `  latest refusal: ${lastRefusal.outcome}: ${lastRefusal.detail}\n` : ""}`;
}
