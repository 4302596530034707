/* The queries of the Grafana dashboard and the Prometheus rules in monitoring/, for the tests that check them against the service's metrics and a real Prometheus. */
import { readFileSync } from "node:fs";

const REPO = new URL("../../../", import.meta.url);

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

export interface Query {
  panel: string;
  expr: string;
}

/** Every panel's queries, and the variables' (label_values(METRIC, LABEL) read as METRIC). */
export function dashboardQueries(): Query[] {
  const dash = JSON.parse(readFileSync(new URL("monitoring/grafana/stratum1.json", REPO), "utf8")) as {
    panels: Panel[];
    templating: { list: Array<{ name: string; query?: string | { query: string } }> };
  };
  const out: Query[] = [];
  const walk = (ps: readonly Panel[]): void => {
    for (const p of ps) {
      for (const t of p.targets ?? []) out.push({ panel: p.title, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dash.panels);
  for (const v of dash.templating.list) {
    const q = typeof v.query === "string" ? v.query : v.query?.query;
    const m = q ? /^label_values\(\s*([^,]+),\s*\w+\s*\)$/.exec(q) : null;
    if (m) out.push({ panel: `variable ${v.name}`, expr: m[1]! });
  }
  return out;
}

/** Each alerting rule's name and expression (the file keeps every expr on one line). */
export function ruleQueries(): Array<{ alert: string; expr: string }> {
  const out: Array<{ alert: string; expr: string }> = [];
  let alert = "";
  for (const line of readFileSync(new URL("monitoring/prometheus/stratum1-rules.yml", REPO), "utf8").split("\n")) {
    const a = /^\s*- alert: (\S+)/.exec(line);
    if (a) alert = a[1]!;
    const e = /^\s*expr: (.+)$/.exec(line);
    if (e) out.push({ alert, expr: e[1]!.trim() });
  }
  return out;
}

export const RULES_FILE = new URL("monitoring/prometheus/stratum1-rules.yml", REPO).pathname;
