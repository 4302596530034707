/* The cmdmon client against the host's chronyd (Debian 12's 4.3), read beside its chronyc: see test/support/cmdmonChronydSuite.ts. */
import { hostChrony } from "../support/chronyTools.js";
import { cmdmonChronydTests } from "../support/cmdmonChronydSuite.js";

cmdmonChronydTests(hostChrony());
