/*
 * The simulated receiver as a process of its own (node dist/test/update/simReceiverMain.js DIR):
 * its replay and pulses keep their timing while the test blocks on commands in the container.
 * Prints one JSON line {"device", "ppsDir"} when ready; stops on SIGTERM.
 */
import { chmodSync } from "node:fs";
import { SimReceiver } from "./simReceiver.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: simReceiverMain.js DIR");
const sim = await SimReceiver.start(dir);
// The container's stratum1d (user stratum1) opens the pty as its UART.
chmodSync(sim.device, 0o666);
process.stdout.write(JSON.stringify({ device: sim.device, ppsDir: sim.ppsDir }) + "\n");
process.once("SIGTERM", () => void sim.close().then(() => process.exit(0)));
