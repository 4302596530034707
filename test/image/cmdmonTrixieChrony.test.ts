/*
 * The cmdmon client against Debian 13's chrony (4.6.1), the one the image
 * ships: its chronyd and chronyc taken from the twin's root and run on the
 * host by the twin's own loader (test/support/chronyTools.ts), so no
 * container is needed and the test takes seconds. The same two suites as
 * against the host's chrony 4.3 in test/integration:
 *  - chronyc 4.6.1 as the oracle of the layouts, against the fake chronyd
 *    speaking 4.6 (SERVER_STATS4 and its 196-byte request among them);
 *  - a real chronyd 4.6.1, every figure the client reads beside what
 *    chronyc 4.6.1 prints, and serverstats requests of every length
 *    answered by it as by the fake.
 * chrony 4.6 is what made 4.3's 72-byte serverstats request fail with
 * "518 Packet length mismatch" on the image.
 */
import { twinChrony } from "../support/chronyTools.js";
import { cmdmonChronydTests } from "../support/cmdmonChronydSuite.js";
import { cmdmonGoldenTests } from "../support/cmdmonGoldenSuite.js";

const tools = twinChrony();
cmdmonGoldenTests(tools);
cmdmonChronydTests(tools);
