#!/usr/bin/env node
/*
 * Asks an NTP server once (or --count N times, --every S seconds apart) and
 * prints what a client reads in each answer: leap indicator, stratum,
 * reference ID, root delay and dispersion, and the offset against this
 * machine's clock. For the simulated box (npm run simulate -- --ntp-port N),
 * whose port is not 123, which ntpdate and sntp cannot ask.
 *   node dist/sim/sntp.js [HOST:]PORT [--count N] [--every S] [--from ADDRESS]
 */
import { systemClock } from "../src/hal/linux/systemClock.js";
import { describeAnswer, queryNtp } from "./sntpClient.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const target = process.argv[2];
  const m = target ? /^(?:(.+):)?(\d+)$/.exec(target) : null;
  if (!m) {
    process.stderr.write("usage: sntp [HOST:]PORT [--count N] [--every S] [--from ADDRESS]\n");
    process.exit(64);
  }
  const server = { host: m[1] ?? "127.0.0.1", port: Number(m[2]) };
  const count = Number(option("--count") ?? "1");
  const everyS = Number(option("--every") ?? "2");
  const from = option("--from");
  const clock = systemClock();
  let answered = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, everyS * 1000));
    const a = await queryNtp(server, { nowUs: () => clock.realtimeUs(), ...(from ? { localAddress: from } : {}) });
    const at = new Date().toISOString().slice(11, 19);
    process.stdout.write(`${at} ${server.host}:${server.port}: ${a ? describeAnswer(a) : "no answer"}\n`);
    if (a) answered++;
  }
  process.exit(answered > 0 ? 0 : 1);
}

main().catch((err: Error) => {
  process.stderr.write(`sntp: ${err.message}\n`);
  process.exit(1);
});
