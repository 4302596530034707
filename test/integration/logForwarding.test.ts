/*
 * Remote logs, with systemd's own tools: the configuration `stratum1ctl
 * log-forwarding` generates from stratum1.conf's log.remote is what a real
 * systemd-journal-upload reads (bound over its configuration file in a
 * private mount namespace, as the drop-in's /run file would be), and the
 * journal it uploads arrives in a real systemd-journal-remote listening on
 * loopback, as on the log host. The journal here is one made of stratum1d's
 * own log lines (this machine need not run journald). Off, nothing is
 * configured and the command says so with exit 1, which makes systemd skip
 * the uploader.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freeTcpPort } from "../support/prometheus.js";

const CTL = fileURLToPath(new URL("../../src/cli/stratum1ctl.js", import.meta.url));
const SYSTEMD = "/lib/systemd";

/** A journal file holding these lines as stratum1d's, made by journal-remote from the journal export format. */
function stratum1dJournal(dir: string, lines: readonly string[]): string {
  const file = join(dir, "system.journal");
  const bootId = "5a1e0c7d2b9f4e3a8c6d1f0e9b8a7c6d";
  const nowUs = Date.now() * 1000;
  const entries = lines.map((m, i) =>
    [
      `__REALTIME_TIMESTAMP=${nowUs + i}`,
      `__MONOTONIC_TIMESTAMP=${1_000_000 + i}`,
      `_BOOT_ID=${bootId}`,
      "_HOSTNAME=stratum1",
      "SYSLOG_IDENTIFIER=stratum1d",
      "_SYSTEMD_UNIT=stratum1d.service",
      "PRIORITY=6",
      `MESSAGE=${m}`,
      "",
      "",
    ].join("\n"),
  );
  const r = spawnSync(`${SYSTEMD}/systemd-journal-remote`, [`--output=${file}`, "-"], { input: entries.join(""), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return file;
}

test("log.remote: the generated configuration sends the journal through a real systemd-journal-upload to a real systemd-journal-remote; off, the uploader is skipped", {
  timeout: 60_000,
}, async (t) => {
  if (!existsSync(`${SYSTEMD}/systemd-journal-upload`)) assert.fail("systemd-journal-upload is missing: apt-get install systemd-journal-remote");
  if (process.getuid?.() !== 0) assert.fail("needs root: the uploader's configuration file is bound in a private mount namespace");
  const dir = mkdtempSync(join(tmpdir(), "stratum1-logs-"));
  try {
    const conf = join(dir, "stratum1.conf");
    const out = join(dir, "run/journal-upload.conf.d/stratum1.conf");
    const ctl = (...args: string[]) => spawnSync(process.execPath, [CTL, "log-forwarding", "--config", conf, ...args], { encoding: "utf8", env: { ...process.env, STRATUM1_CONFIG: "" } });

    // Off (the default): nothing written, exit 1, so systemd skips the uploader.
    writeFileSync(conf, "serial.path = /dev/serial0\n");
    mkdirSync(join(dir, "run/journal-upload.conf.d"), { recursive: true });
    writeFileSync(out, "left from before\n");
    const off = ctl("--out", out);
    assert.equal(off.status, 1, off.stderr);
    assert.match(off.stdout, /log\.remote is off .*: the journal stays on this box \(in RAM\)/);
    assert.equal(existsSync(out), false, "a configuration left from before is removed");

    // On: the log host's journal-remote on loopback.
    const port = await freeTcpPort();
    writeFileSync(conf, `serial.path = /dev/serial0\nlog.remote = http://127.0.0.1:${port}\n`);
    const on = ctl("--out", out);
    assert.equal(on.status, 0, on.stderr);
    assert.match(readFileSync(out, "utf8"), new RegExp(`^\\[Upload\\]\\nURL=http://127\\.0\\.0\\.1:${port}$`, "m"));
    t.diagnostic(readFileSync(out, "utf8"));

    const received = join(dir, "remote");
    mkdirSync(received);
    const sink = spawn(`${SYSTEMD}/systemd-journal-remote`, [`--listen-http=127.0.0.1:${port}`, `--output=${received}/`], { stdio: ["ignore", "pipe", "pipe"] });
    let sinkLog = "";
    sink.stderr?.on("data", (d: Buffer) => (sinkLog += d.toString()));
    try {
      for (let i = 0; i < 50; i++) {
        if (spawnSync("ss", ["-Hltn", `sport = :${port}`], { encoding: "utf8" }).stdout.includes(String(port))) break;
        await sleep(100);
      }
      const lines = ["stratum1d starting: serial /dev/serial0 @ 9600", "serial: /dev/serial0 open at 9600 baud", "alarm: no fix: the receiver has no fix"];
      const journal = stratum1dJournal(dir, lines);
      // journal-upload reads /etc/systemd/journal-upload.conf and its drop-in directories; the generated
      // file stands in for it here, in this process's own mount namespace only. No URL on the command line.
      const up = spawnSync(
        "unshare",
        ["-m", "--propagation", "private", "sh", "-c", `mount --bind "$1" /etc/systemd/journal-upload.conf && exec ${SYSTEMD}/systemd-journal-upload --file="$2" --follow=no`, "sh", out, journal],
        {
          encoding: "utf8",
          timeout: 30_000,
        },
      );
      assert.equal(up.status, 0, `journal-upload: ${up.stderr}`);
      let got: string[] = [];
      for (let i = 0; i < 50 && got.length < lines.length; i++) {
        if (readdirSync(received).some((f) => f.endsWith(".journal"))) {
          got = execFileSync("journalctl", [`--directory=${received}`, "-o", "json", "--no-pager"], { encoding: "utf8" })
            .trim()
            .split("\n")
            .filter((l) => l !== "")
            .map((l) => JSON.parse(l) as { MESSAGE: string; SYSLOG_IDENTIFIER: string })
            .filter((e) => e.SYSLOG_IDENTIFIER === "stratum1d")
            .map((e) => e.MESSAGE);
        }
        if (got.length < lines.length) await sleep(100);
      }
      assert.deepEqual(got, lines, `what the log host received (journal-remote: ${sinkLog})`);
    } finally {
      sink.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("log.remote over https: the uploader's key, certificate and CA from /etc/stratum1/journal-upload/; a bad URL configures nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "stratum1-logs-"));
  try {
    const conf = join(dir, "stratum1.conf");
    writeFileSync(conf, "log.remote = https://logs.example.net\n");
    const r = spawnSync(process.execPath, [CTL, "log-forwarding", "--config", conf], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^\[Upload\]\nURL=https:\/\/logs\.example\.net:19532\nServerKeyFile=\/etc\/stratum1\/journal-upload\/key\.pem\nServerCertificateFile=\/etc\/stratum1\/journal-upload\/cert\.pem\nTrustedCertificateFile=\/etc\/stratum1\/journal-upload\/ca\.pem\n$/m,
    );
    writeFileSync(conf, "log.remote = ftp://logs.example.net\n");
    const bad = spawnSync(process.execPath, [CTL, "log-forwarding", "--config", conf], { encoding: "utf8" });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /log\.remote .* http:\/\/HOST\[:PORT\] or https:\/\/HOST\[:PORT\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
