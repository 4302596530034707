/*
 * A real Prometheus (Debian's package) for a test: its own configuration and
 * storage in a temporary directory, its web API on a free loopback port,
 * scraping the given targets every second. Queried over its HTTP API as
 * Grafana would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface Prometheus {
  url: string;
  process: ChildProcess;
  output(): string;
  /** An instant query (at `atS`, Unix seconds, or now); throws when Prometheus rejects it. */
  query(expr: string, atS?: number): Promise<PromSample[]>;
  /** Polls the query every second until `done` holds for its result; throws with the last result (and `context()`) when it does not within timeoutMs. */
  waitFor(expr: string, done: (r: PromSample[]) => boolean, timeoutMs: number, context?: () => string): Promise<PromSample[]>;
  stop(): Promise<void>;
}

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(dir: string, job: string, targets: readonly string[], ruleFiles: readonly string[] = []): Promise<Prometheus> {
  mkdirSync(dir, { recursive: true });
  const port = await freeTcpPort();
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "  evaluation_interval: 1s",
      ...(ruleFiles.length ? ["rule_files:", ...ruleFiles.map((f) => `  - ${f}`)] : []),
      "scrape_configs:",
      `  - job_name: ${job}`,
      "    static_configs:",
      `      - targets: [${targets.map((t) => `"${t}"`).join(", ")}]`,
      "",
    ].join("\n"),
  );
  const proc = spawn("prometheus", [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const failed = new Promise<never>((_, reject) => proc.once("error", (e) => reject(new Error(`cannot run prometheus (${e.message}); install it: apt-get install prometheus`))));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited ${proc.exitCode}: ${out}`);
    const ready = await Promise.race([
      fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      ),
      failed,
    ]);
    if (ready) break;
    if (i > 300) throw new Error(`prometheus not ready within 30 s: ${out}`);
    await sleep(100);
  }
  const query = async (expr: string, atS?: number): Promise<PromSample[]> => {
    const params = new URLSearchParams({ query: expr, ...(atS !== undefined ? { time: String(atS) } : {}) });
    const res = await fetch(`${url}/api/v1/query?${params}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (body.status !== "success" || !body.data) throw new Error(`prometheus rejected ${expr}: ${body.error ?? res.status}`);
    if (body.data.resultType === "scalar") return [{ metric: {}, value: Number((body.data.result as unknown as [number, string])[1]) }];
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
  return {
    url,
    process: proc,
    output: () => out,
    query,
    async waitFor(expr, done, timeoutMs, context) {
      const until = Date.now() + timeoutMs;
      let last: PromSample[] = [];
      for (;;) {
        last = await query(expr);
        if (done(last)) return last;
        if (Date.now() > until) throw new Error(`prometheus: ${expr} did not come to pass within ${timeoutMs / 1000} s; last result ${JSON.stringify(last)}${context ? `\n${context()}` : ""}`);
        await sleep(1000);
      }
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
