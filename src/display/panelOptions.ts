/* The front panel's options from stratum1.conf, for the service and for the notice the service manager shows when it is down. */
import type { Config } from "../config/schema.js";
import type { Clock } from "../hal/clock.js";
import type { FrontPanelOptions } from "./frontPanel.js";
import { parsePages } from "./pages.js";
import { parsePinMap } from "./pcf8574Pins.js";

export function panelOptions(cfg: Config, clock: Clock): FrontPanelOptions {
  const [cols, rows] = cfg["lcd.size"].split("x").map(Number) as [number, number];
  return {
    address: cfg["lcd.address"],
    // The schema accepted both, so they parse.
    pins: parsePinMap(cfg["lcd.pins"])!,
    geometry: { cols, rows },
    pageS: cfg["lcd.page"],
    pages: parsePages(cfg["lcd.pages"])!,
    delayUs: (us) => new Promise((resolve) => clock.after(us / 1000, resolve)),
  };
}
