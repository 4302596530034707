/*
 * The /metrics listener as Prometheus and a careless client meet it, over
 * real HTTP on this machine: the exposition at /metrics (GET and HEAD), 404
 * for another path, 405 for another method, 403 for an address outside
 * metrics.allow, each logged once however often it happens; an address that
 * cannot be bound is logged once with its fix and tried again, and the
 * service goes on; garbage on the socket changes nothing.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect, createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { test } from "node:test";
import { createLogger } from "../../src/log/logger.js";
import { Exposition } from "../../src/metrics/exposition.js";
import { MetricsEndpoint } from "../../src/metrics/metricsEndpoint.js";
import { scraperCheck } from "../../src/metrics/scrapers.js";
import { VirtualClock } from "../../sim/fakes/virtualClock.js";
import { parseExposition } from "../support/exposition.js";
import { healthySnapshot } from "../support/snapshot.js";

const NOW = Date.UTC(2026, 10, 22, 12) * 1000;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, opts: { method?: string; host?: string; localAddress?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ agent: false, host: opts.host ?? "127.0.0.1", port, path, method: opts.method ?? "GET", ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function endpoint(listen: string, allow: string | null = null): Promise<{ m: MetricsEndpoint; lines: string[]; clock: VirtualClock }> {
  const lines: string[] = [];
  const clock = new VirtualClock(NOW);
  const m = new MetricsEndpoint(
    { listen, allow },
    new Exposition(),
    () => healthySnapshot(NOW),
    clock,
    createLogger((l) => lines.push(l)),
  );
  await m.start();
  return { m, lines, clock };
}

test("GET and HEAD /metrics: the exposition of the latest snapshot, in Prometheus's text format", async () => {
  const port = await freeTcpPort();
  const { m, lines } = await endpoint(`127.0.0.1:${port}`);
  try {
    assert.match(lines.join("\n"), new RegExp(`metrics: serving http://127\\.0\\.0\\.1:${port}/metrics to loopback only`));
    const r = await get(port, "/metrics?from=prometheus");
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    const exposed = parseExposition(r.body);
    assert.equal(exposed.value("stratum1_serving"), 1, "the healthy snapshot is serving");
    assert.equal(exposed.value("stratum1_pps_state", { state: "locked" }), 1);
    const head = await get(port, "/metrics", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    assert.equal(m.scrapes, 2);
    const root = await get(port, "/");
    assert.equal(root.status, 200);
    assert.match(root.body, /\/metrics/);
  } finally {
    await m.close();
  }
});

test("a wrong path is 404 and another method 405, each logged once with the fix; the listener goes on", async () => {
  const port = await freeTcpPort();
  const { m, lines } = await endpoint(`127.0.0.1:${port}`);
  try {
    const before = lines.length;
    for (let i = 0; i < 3; i++) assert.equal((await get(port, "/metric")).status, 404);
    assert.equal((await get(port, "/favicon.ico")).status, 404);
    const logged = lines.slice(before);
    assert.equal(logged.filter((l) => l.includes('"/metric"')).length, 1, `one line for a path however often: ${logged.join("\n")}`);
    assert.match(logged.find((l) => l.includes('"/metric"'))!, /^<4>metrics: 127\.0\.0\.1 asked for "\/metric", answered 404: the scrape's metrics_path must be \/metrics$/);
    assert.equal(logged.length, 2);
    const post = await get(port, "/metrics", { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, "GET, HEAD");
    // Garbage instead of HTTP: the connection is dropped, nothing else.
    await new Promise<void>((resolve) => {
      const s = connect(port, "127.0.0.1", () => s.end("\x16\x03\x01 not http at all\r\n\r\n"));
      s.on("close", () => resolve());
      s.on("error", () => resolve());
    });
    assert.equal((await get(port, "/metrics")).status, 200, "still serving");
  } finally {
    await m.close();
  }
});

test("a client outside metrics.allow is refused (403), logged once; inside it, served", async (t) => {
  const own = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
  if (!own) {
    t.skip("this machine has no non-loopback IPv4 address to scrape from");
    return;
  }
  const port = await freeTcpPort();
  const other = own.startsWith("198.51.100.") ? "203.0.113.0/24" : "198.51.100.0/24";
  const refused = await endpoint(`0.0.0.0:${port}`, other);
  try {
    for (let i = 0; i < 2; i++) {
      const r = await get(port, "/metrics", { host: own, localAddress: own });
      assert.equal(r.status, 403);
      assert.match(r.body, /may not read the metrics/);
    }
    const lines = refused.lines.filter((l) => l.includes("refused"));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.equal(lines[0], `<4>metrics: refused ${own}: not in metrics.allow (loopback and ${other}); add its network to metrics.allow to let it scrape`);
    assert.equal((await get(port, "/metrics")).status, 200, "loopback is always let in");
  } finally {
    await refused.m.close();
  }
  const allowed = await endpoint(`0.0.0.0:${port}`, `${other},${own}/32`);
  try {
    assert.equal((await get(port, "/metrics", { host: own, localAddress: own })).status, 200);
  } finally {
    await allowed.m.close();
  }
});

test("who may scrape: loopback always (IPv4 clients of an IPv6 listener included), the listed networks, or anyone with 'all'", () => {
  const c = scraperCheck("192.168.10.0/24,2001:db8::/64");
  assert.deepEqual(
    ["127.0.0.1", "::1", "::ffff:127.0.0.1", "192.168.10.77", "::ffff:192.168.10.77", "2001:db8::5", "192.168.11.1", "10.0.0.1", "2001:db8:1::5", undefined].map((a) => c.allowed(a)),
    [true, true, true, true, true, true, false, false, false, false],
  );
  assert.equal(scraperCheck(null).allowed("192.168.10.77"), false);
  assert.equal(scraperCheck("all").allowed("203.0.113.9"), true);
});

test("an address that cannot be bound: one line with the fix, tried again every 30 s, and the service goes on", async () => {
  // An address from a documentation range that this machine does not have.
  const local = new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address),
  );
  const absent = ["198.51.100.1", "203.0.113.1", "192.0.2.1"].find((a) => !local.has(a))!;
  const { m, lines, clock } = await endpoint(`${absent}:9817`);
  try {
    assert.equal(m.port, undefined);
    assert.deepEqual(lines, [
      `<4>metrics: cannot listen on ${absent}:9817: no interface of this box has that address (yet): set metrics.listen to one of its addresses (ip -brief address), or wait for the network; trying again every 30 s`,
    ]);
    for (let i = 0; i < 3; i++) {
      clock.advanceTo(clock.nowUs + 30e6);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(lines.length, 1, "the same failure is not logged again at each attempt");
  } finally {
    await m.close();
  }

  const busy: Server = createServer();
  const port = await freeTcpPort();
  await new Promise<void>((resolve) => busy.listen(port, "127.0.0.1", resolve));
  const taken = await endpoint(`127.0.0.1:${port}`);
  try {
    assert.match(taken.lines.join("\n"), /cannot listen on 127\.0\.0\.1:\d+: another program listens on that port \(ss -ltnp\): choose another port in metrics\.listen/);
    await new Promise<void>((resolve) => busy.close(() => resolve()));
    taken.clock.advanceTo(taken.clock.nowUs + 30e6);
    for (let i = 0; i < 50 && taken.m.port === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(taken.m.port, port, "the port freed: listening at the next attempt");
    assert.match(taken.lines.at(-1)!, /metrics: serving .* \(the address is up now\)/);
    assert.equal((await get(port, "/metrics")).status, 200);
  } finally {
    await taken.m.close();
  }
});
