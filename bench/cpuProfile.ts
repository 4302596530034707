/*
 * Where a process's main-thread CPU goes, from a V8 CPU profile (node
 * --cpu-prof): self time by area (our modules by folder, node's internals by
 * module, each dependency, V8's own "(garbage collector)" and "(program)")
 * and by function, over a window of the profile (the steady state after a
 * warm-up); and by entry point, the outermost of our functions on the stack
 * (the serial callback, the status tick, a scrape...), which says which
 * activity the time is spent for. A sample's time is the gap to the next sample; "(idle)" samples
 * are the loop waiting and are left out.
 */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Main-thread time spent running (not idle) in the window, ms. */
  busyMs: number;
  windowS: number;
  areas: Array<{ area: string; ms: number }>;
  functions: Array<{ fn: string; ms: number }>;
  /** Time by the outermost of our frames on the stack (inclusive); "(none of ours)" for GC, V8 and node's own work. */
  entries: Array<{ fn: string; ms: number }>;
}

/** The area a frame belongs to: src/<folder>, sim, node:<module>, a dependency, or V8's own. */
export function areaOf(url: string, functionName: string, root: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const path = url.startsWith(root) ? url.slice(root.length) : url;
  if (path.includes("node_modules/")) return `node_modules/${path.split("node_modules/")[1]!.split("/")[0]}`;
  if (path.startsWith("src/")) return path.split("/").slice(0, 2).join("/");
  if (path.startsWith("sim/")) return "sim (the bench's fakes)";
  if (path.startsWith("node:internal/")) return `node:internal/${path.slice(14).split(/[/:]/)[0]}`;
  if (path.startsWith("node:")) return `node:${path.slice(5).split(/[/:]/)[0]}`;
  return path;
}

/**
 * `root` is the dist directory's file URL (file:///…/dist/), stripped from our modules' paths;
 * the window is [fromUs, toUs) after the profile's start.
 */
export function summarizeProfile(p: CpuProfile, root: string, fromUs = 0, toUs = Number.POSITIVE_INFINITY): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ours = (url: string): boolean => url.startsWith(root);
  const label = (cf: CpuProfile["nodes"][number]["callFrame"]): string =>
    `${cf.functionName || "(anonymous)"}${cf.url === "" ? "" : ` ${ours(cf.url) ? cf.url.slice(root.length) : cf.url}:${cf.lineNumber + 1}`}`;
  const entryCache = new Map<number, string>();
  const entryOf = (id: number): string => {
    const known = entryCache.get(id);
    if (known !== undefined) return known;
    let entry = "(none of ours)";
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const cf = byId.get(at)?.callFrame;
      if (cf && ours(cf.url)) entry = label(cf);
    }
    entryCache.set(id, entry);
    return entry;
  };
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  const entries = new Map<string, number>();
  let t = p.startTime;
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (t - p.startTime < fromUs || t - p.startTime >= toUs) continue;
    const cf = byId.get(p.samples[i]!)?.callFrame;
    if (!cf || cf.functionName === "(idle)") continue;
    busy += dt;
    const area = areaOf(cf.url, cf.functionName, root);
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const fn = label(cf);
    fns.set(fn, (fns.get(fn) ?? 0) + dt);
    const entry = entryOf(p.samples[i]!);
    entries.set(entry, (entries.get(entry) ?? 0) + dt);
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]);
  return {
    busyMs: busy / 1000,
    windowS: (Math.min(t - p.startTime, toUs) - fromUs) / 1e6,
    areas: sorted(areas).map(([area, us]) => ({ area, ms: us / 1000 })),
    functions: sorted(fns).map(([fn, us]) => ({ fn, ms: us / 1000 })),
    entries: sorted(entries).map(([fn, us]) => ({ fn, ms: us / 1000 })),
  };
}

/** The summary as text: the areas, then the top functions, each with its share of the busy time. */
export function formatProfile(s: ProfileSummary, top = 12): string {
  const pct = (ms: number): string => `${((100 * ms) / (s.busyMs || 1)).toFixed(1).padStart(5)} %`;
  return [
    `main thread busy ${(s.busyMs / s.windowS).toFixed(2)} ms/s (${s.busyMs.toFixed(0)} ms in ${s.windowS.toFixed(0)} s; the profiler's own cost included)`,
    "  by area:",
    ...s.areas.slice(0, top).map((a) => `    ${pct(a.ms)}  ${a.area}`),
    "  by function (self time):",
    ...s.functions.slice(0, top).map((f) => `    ${pct(f.ms)}  ${f.fn}`),
    "  by entry point (the outermost of our functions on the stack, inclusive):",
    ...s.entries.slice(0, top).map((f) => `    ${pct(f.ms)}  ${f.fn}`),
  ].join("\n");
}
