/*
 * The Grafana dashboard and the Prometheus rules in monitoring/: every query
 * names metrics the service exports (so a renamed metric cannot leave a
 * panel empty without a failing test), every panel asks the dashboard's
 * Prometheus variable, and the panels the issue asks for are there. The
 * Prometheus integration test runs every one of these queries against a
 * real Prometheus scraping the simulated box.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { PROCESS_METRICS } from "../../src/metrics/processMetrics.js";
import { SNAPSHOT_METRICS } from "../../src/metrics/snapshotMetrics.js";
import { dashboardQueries, ruleQueries } from "../support/dashboard.js";
import { metricNames } from "../support/promql.js";

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, written as Grafana stores it.
const DATASOURCE_VAR = "${datasource}";

const EXPORTED = new Set([...SNAPSHOT_METRICS, ...PROCESS_METRICS].map((m) => m.name));

test("PromQL: the metric names of an expression, not its functions, labels, variables or numbers", () => {
  assert.deepEqual(metricNames('sum by (reason) (rate(stratum1_time_refused_total{instance="$instance",job=~"a|b"}[$__rate_interval]))'), ["stratum1_time_refused_total"]);
  assert.deepEqual(metricNames('3 * a_b{state="locked"} + 2.5e-3 * c offset 5m - ignoring(x) group_left(y) d_total or vector(0)'), ["a_b", "c", "d_total"]);
  assert.deepEqual(metricNames("label_values(stratum1_serving, instance)"), ["stratum1_serving", "instance"], "label_values' label is read as a name: the dashboard helper handles it");
});

test("the Grafana dashboard: every query names metrics stratum1d exports", () => {
  const queries = dashboardQueries();
  assert.ok(queries.length >= 30, `${queries.length} queries`);
  const unknown = queries.flatMap((q) =>
    metricNames(q.expr)
      .filter((n) => !EXPORTED.has(n))
      .map((n) => `${q.panel}: ${n} in ${q.expr}`),
  );
  assert.deepEqual(unknown, []);
  const used = new Set(queries.flatMap((q) => metricNames(q.expr)));
  // The figures the issue names must each be on the dashboard.
  for (const name of [
    "stratum1_chrony_system_offset_seconds",
    "stratum1_pps_state",
    "stratum1_time_state",
    "stratum1_gnss_satellites_visible",
    "stratum1_gnss_satellites_used",
    "stratum1_gnss_antenna_state",
    "stratum1_gnss_jamming_state",
    "stratum1_chrony_ntp_requests_total",
    "stratum1_alarm_active",
  ])
    assert.ok(used.has(name), `the dashboard shows ${name}`);
});

test("the Grafana dashboard is provisionable: a uid, every panel on the Prometheus variable, the box chosen by a variable, no panel without a query", () => {
  const dash = JSON.parse(readFileSync(new URL("../../../monitoring/grafana/stratum1.json", import.meta.url), "utf8")) as {
    uid: string;
    title: string;
    templating: { list: Array<{ name: string; type: string; query: unknown }> };
    panels: Array<{ type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string; datasource?: { uid: string } }> }>;
  };
  assert.equal(dash.uid, "stratum1");
  assert.deepEqual(
    dash.templating.list.map((v) => [v.name, v.type]),
    [
      ["datasource", "datasource"],
      ["instance", "query"],
    ],
  );
  for (const p of dash.panels.filter((x) => x.type !== "row")) {
    assert.equal(p.datasource?.uid, DATASOURCE_VAR, `${p.title} asks the dashboard's data source`);
    assert.ok(p.targets && p.targets.length > 0, `${p.title} has a query`);
    for (const t of p.targets) {
      assert.equal(t.datasource?.uid, DATASOURCE_VAR);
      assert.match(t.expr, /instance="\$instance"/, `${p.title}: ${t.expr} is for the chosen box`);
    }
  }
  const provider = readFileSync(new URL("../../../monitoring/grafana/provisioning/dashboards/stratum1.yaml", import.meta.url), "utf8");
  assert.match(provider, /^apiVersion: 1$/m);
  assert.match(provider, /type: file/);
});

test("the Prometheus alerting rules name metrics stratum1d exports", () => {
  const rules = ruleQueries();
  assert.ok(rules.length >= 5);
  const unknown = rules.flatMap((r) =>
    metricNames(r.expr)
      .filter((n) => !EXPORTED.has(n) && n !== "up")
      .map((n) => `${r.alert}: ${n}`),
  );
  assert.deepEqual(unknown, []);
});
