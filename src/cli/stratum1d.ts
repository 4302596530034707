#!/usr/bin/env node
/* The stratum1d daemon on a real box: the Linux hardware, the one service. */
import { linuxHardware } from "./linuxHardware.js";
import { runDaemon } from "./daemon.js";

runDaemon(process.argv.slice(2), (cfg, clock, log) => linuxHardware(cfg, clock, (m) => log.warn(m)));
