/*
 * A real Prometheus scraping the simulated appliance, as an operator's
 * would: Debian's prometheus with its own configuration and storage in a
 * temporary directory, scraping the real stratum1d (metrics.listen on
 * loopback) every second; a real chronyd serving NTP to loopback and fed by
 * the daemon; a capture replayed through a pty with fake kernel PPS edges,
 * told as a story: a cold start, a fix with its pulse, the fix lost, the fix
 * back. Everything is read through Prometheus's HTTP API: the series exist
 * and move as the story goes (states change, counters increase), every
 * query of the Grafana dashboard returns data, the alerting rules load, and
 * promtool finds nothing to say about the exposition.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { FakeKernelPps } from "../../sim/fakes/fakeKernelPps.js";
import { startPulses } from "../../sim/replay/pulseGenerator.js";
import { tellStory, type StoryPart } from "../../sim/replay/receiverStory.js";
import { replay } from "../../sim/replay/replayer.js";
import { dashboardQueries, RULES_FILE } from "../support/dashboard.js";
import { freeTcpPort, startPrometheus, type PromSample } from "../support/prometheus.js";
import { startRig } from "../support/rig.js";

const STORY: readonly StoryPart[] = [
  { kind: "cold", seconds: 8 },
  { kind: "fix", seconds: 70 },
  { kind: "lost", seconds: 30 },
  { kind: "fix", seconds: 60 },
];

/** Sends n NTP client requests to chronyd on loopback and waits for the answers. */
async function askForTime(port: number, n: number): Promise<number> {
  const sock = createSocket("udp4");
  let answers = 0;
  sock.on("message", () => (answers += 1));
  for (let i = 0; i < n; i++) {
    const req = Buffer.alloc(48);
    req[0] = (4 << 3) | 3;
    sock.send(req, port, "127.0.0.1");
    await sleep(30);
  }
  await sleep(500);
  sock.close();
  return answers;
}

const only = (r: PromSample[]): number => {
  assert.equal(r.length, 1, `one series: ${JSON.stringify(r)}`);
  return r[0]!.value;
};
const is1 = (r: PromSample[]): boolean => r.length === 1 && r[0]!.value === 1;

test("Prometheus scrapes the simulated box: series move with the story, the dashboard's queries all return data, the rules load, promtool is content", { timeout: 300_000 }, async (t) => {
  const metricsPort = await freeTcpPort();
  const ntpPort = await freeTcpPort();
  let kernel: FakeKernelPps | undefined;
  const rig = await startRig({
    chronyLines: (dir) => [`refclock SOCK ${dir}/nmea.sock refid NMEA poll 1 noselect`, `refclock SOCK ${dir}/pps.sock refid PPS poll 1 precision 1e-7`],
    chronyd: { ntpPort },
    daemonArgs: (p) => {
      kernel = new FakeKernelPps(join(dirname(p.device), "pps0"));
      // The story starts cold (no fix), after which an NMEA receiver's UTC is held off for
      // time.utc-holdoff (750 s) unless a verified clock agrees: this test is about the metrics
      // following the states, so the hold-off (tested in test/virtual/utcTrust) is off.
      return [
        "--serial",
        p.device,
        "--sock",
        p.sock,
        "--pps-sysfs",
        kernel.dir,
        "--pps-sock",
        join(dirname(p.device), "pps.sock"),
        "--status",
        p.status,
        "--metrics",
        `127.0.0.1:${metricsPort}`,
        "--set",
        "time.utc-holdoff=0",
      ];
    },
  });
  const target = `127.0.0.1:${metricsPort}`;
  const prom = await startPrometheus(join(rig.dir, "prometheus"), "stratum1", [target], [RULES_FILE]);
  const log = (): string => `stratum1d's log:\n${rig.daemon.lines.slice(-40).join("\n")}`;
  const abort = new AbortController();
  let pulses: { stop(): void } | undefined;
  let replaying: Promise<void> | undefined;
  try {
    await rig.daemon.waitFor(new RegExp(`metrics: serving http://127\\.0\\.0\\.1:${metricsPort}/metrics to loopback only`), 10_000);
    await prom.waitFor('up{job="stratum1"}', is1, 30_000, log);

    const epochs = tellStory(rig.epochs("neo-m8n.log"), STORY);
    const startSecond = rig.nextSecond();
    const fixAt = new Set<number>();
    let k = 0;
    for (const part of STORY) for (let i = 0; i < part.seconds; i++, k++) if (part.kind === "fix") fixAt.add(startSecond + k);
    // The receiver's pulse comes with its fix, as u-blox's default time pulse does.
    pulses = startPulses({ clock: rig.clock, kernel: kernel!, phaseNs: () => 1500, pulse: (s) => fixAt.has(s) });
    replaying = replay(epochs, { feedPath: rig.paths.feed, baud: 9600, delayMs: 120, startSecond, rewrite: true, clock: rig.clock }, abort.signal);

    // Cold start: no fix, no pulse.
    await prom.waitFor('stratum1_alarm_active{alarm="no-fix"}', is1, 30_000, log);
    assert.equal(only(await prom.query('stratum1_pps_state{state="no-pulse"}')), 1);
    assert.equal(only(await prom.query("stratum1_serving")), 0);

    // The fix: the pulse locks, the receiver's time flows to chrony.
    await prom.waitFor('stratum1_pps_state{state="locked"}', is1, 60_000, log);
    await prom.waitFor('stratum1_time_state{state="ok"}', is1, 30_000, log);
    const lockedAtS = Date.now() / 1000;
    assert.equal(only(await prom.query('stratum1_gnss_fix_mode{mode="3d"}')), 1);
    assert.ok(only(await prom.query('stratum1_gnss_satellites_visible{system="GPS"}')) > 0);
    assert.ok(only(await prom.query("stratum1_gnss_satellites_used")) >= 4);
    assert.equal(only(await prom.query("stratum1_chrony_up")), 1);
    const answered = await askForTime(ntpPort, 20);
    assert.ok(answered >= 15, `chronyd answered ${answered} of 20 NTP requests`);
    const served = await prom.waitFor("stratum1_chrony_ntp_requests_total", (r) => r.length === 1 && r[0]!.value >= 15, 30_000, log);
    t.diagnostic(`NTP requests served, as Prometheus scraped them: ${served[0]!.value}`);
    const delivered = only(await prom.waitFor('sum(stratum1_samples_delivered_total{stream="pps"})', (r) => r.length === 1 && r[0]!.value >= 5, 30_000, log));

    // The fix lost: the states change, refusals are counted.
    await prom.waitFor('stratum1_alarm_active{alarm="no-fix"}', is1, 90_000, log);
    await prom.waitFor('stratum1_pps_state{state="locked"}', (r) => r.length === 1 && r[0]!.value === 0, 30_000, log);
    assert.equal(only(await prom.query('stratum1_time_state{state="ok"}')), 0);
    assert.equal(only(await prom.query("stratum1_serving")), 0);
    await prom.waitFor("sum(increase(stratum1_time_refused_total[30s]))", (r) => r.length === 1 && r[0]!.value > 0, 30_000, log);
    assert.equal(only(await prom.query('max_over_time(stratum1_pps_state{state="locked"}[5m])')), 1, "Prometheus holds the lock in its history");

    // The fix back: locked again, and the counters went on from where they were.
    await prom.waitFor('stratum1_pps_state{state="locked"}', is1, 90_000, log);
    await prom.waitFor('sum(stratum1_samples_delivered_total{stream="pps"})', (r) => r.length === 1 && r[0]!.value > delivered + 5, 30_000, log);
    assert.ok(only(await prom.query('changes(stratum1_pps_state{state="locked"}[10m])')) >= 2, "locked, lost, locked again");
    assert.ok(only(await prom.query("stratum1_serial_bytes_total")) > only(await prom.query("stratum1_serial_bytes_total", lockedAtS)));
    assert.equal(only(await prom.query("sum(resets(stratum1_samples_delivered_total[10m]))")), 0, "no counter went back");

    // Every query of the Grafana dashboard, with its variables as Grafana would fill them, returns data.
    const empty: string[] = [];
    for (const q of dashboardQueries()) {
      const expr = q.expr.replace(/\$__rate_interval/g, "30s").replace(/\$instance/g, target);
      const r = await prom.query(expr);
      if (r.length === 0) empty.push(`${q.panel}: ${expr}`);
    }
    // The neo-m8n capture reports neither its antenna, nor jamming, nor its identity (NMEA only); this box has no display and no CPU temperature sensor.
    const absentHere = /stratum1_gnss_antenna_state|stratum1_gnss_jamming|stratum1_receiver_info|stratum1_lcd_|stratum1_host_cpu_temperature|stratum1_faults_total/;
    assert.deepEqual(
      empty.filter((e) => !absentHere.test(e)),
      [],
      "every dashboard query returns data",
    );

    // The alerting rules loaded and are evaluated.
    const rules = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> } };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    assert.ok(loaded.length >= 5, JSON.stringify(loaded));
    for (const r of loaded) assert.equal(r.health, "ok", `rule ${r.name}`);
    const check = spawnSync("promtool", ["check", "rules", RULES_FILE], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stdout + check.stderr);

    // promtool's linter on the exposition itself: names, units, help, types.
    const text = await (await fetch(`http://${target}/metrics`)).text();
    const lint = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(`${lint.stdout}${lint.stderr}`.trim(), "", "promtool check metrics has nothing to say");
    assert.equal(lint.status, 0);
  } finally {
    abort.abort();
    pulses?.stop();
    await replaying?.catch(() => undefined);
    await prom.stop();
    await rig.close();
  }
  // The daemon stopped cleanly: nothing of the metrics listener held it.
  assert.equal(rig.daemon.process.exitCode, 0, rig.daemon.lines.slice(-10).join("\n"));
});
