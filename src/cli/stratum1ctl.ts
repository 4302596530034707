#!/usr/bin/env node
/*
 * stratum1ctl: what an operator runs over SSH. It reads the service's own
 * state (the status snapshot, the service's local sockets) and chrony's
 * through `chronyc -c`; it never scrapes another tool's human output.
 */
import { systemClock } from "../hal/linux/systemClock.js";
import type { CtlIo } from "./ctl/command.js";
import { runCtl } from "./ctl/run.js";

const io: CtlIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTty: process.stdout.isTTY === true,
  env: process.env,
  clock: systemClock(),
};

runCtl(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`stratum1ctl: ${err.message}\n`);
    process.exitCode = 1;
  },
);
