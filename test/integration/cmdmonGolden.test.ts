/* The host's chronyc (Debian 12's 4.3) as the oracle of the request and reply layouts: see test/support/cmdmonGoldenSuite.ts. */
import { hostChrony } from "../support/chronyTools.js";
import { cmdmonGoldenTests } from "../support/cmdmonGoldenSuite.js";

cmdmonGoldenTests(hostChrony());
