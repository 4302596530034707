/*
 * stratum1ctl gps config --show | --save: the receiver's settings as it
 * reports them, or saved to its flash. The service owns the serial port, so
 * both are asked of it over control.socket (root only: --save rewrites the
 * receiver's flash).
 */
import { EXIT } from "../exitCodes.js";
import type { ControlReply } from "../../control/controlProtocol.js";
import type { CtlIo } from "./command.js";
import { parseCtlArgs } from "./configFile.js";
import { askService } from "./controlClient.js";
import { parseCtlOptions } from "./ctlOptions.js";
import { styleFor, type Style } from "./style.js";
import { renderTable } from "./table.js";

export const GPS_CONFIG_USAGE = `usage: stratum1ctl gps config --show|--save [--json] [--socket PATH] [--config FILE]
Asks the running stratum1d, which owns the serial port, over its control socket
(control.socket in the config; root only, so run it with sudo):
  --show     the receiver's settings as it reports them now (port, rate, time
             pulse, navigation or time mode, output rates)
  --save     the settings in force written to the receiver's battery-backed RAM
             and flash, so it starts configured after a power cut (u-blox)
  --json     the service's reply as it came
  --socket   another control socket than control.socket
Exit status: 0 done, 1 refused, unanswered or not possible, 2 the service is not running.`;

const show = (reply: Extract<ControlReply, { request: "gps-config-show" }>, style: Style): string =>
  `${style.bold("Receiver settings")} (as the receiver reports them)\n${renderTable(
    [{ title: "Setting" }, { title: "Value" }],
    reply.items.map((i) => [i.name, i.value ?? style.warn(i.detail)]),
  )}`;

function saved(reply: Extract<ControlReply, { request: "gps-config-save" }>, style: Style): { text: string; code: number } {
  const r = reply.result;
  if (r.outcome === "acknowledged") return { text: `${style.ok("saved")}: the receiver acknowledged ${r.step} (${r.what}); it keeps this configuration over a power cut\n`, code: EXIT.ok };
  if (r.outcome === "skipped") return { text: `${style.warn("not saved")}: ${r.detail}\n`, code: EXIT.failed };
  return { text: `${style.bad("not saved")}: ${r.step} ${r.outcome}: ${r.detail}\n`, code: EXIT.failed };
}

export async function runGpsConfig(args: readonly string[], io: CtlIo): Promise<number> {
  const parsed = parseCtlOptions(args, io);
  if (!parsed.ok) {
    io.err(`stratum1ctl gps config: ${parsed.message}\n`);
    return parsed.exit;
  }
  const { config: cfg, configSource, json, rest } = parsed.value;
  const own = parseCtlArgs(rest, { show: { type: "boolean" }, save: { type: "boolean" }, socket: { type: "string" } }, GPS_CONFIG_USAGE, io);
  if (!own) return EXIT.usage;
  const { show: wantShow, save: wantSave } = own.values;
  if (own.positionals.length > 0 || wantShow === wantSave) {
    io.err(`stratum1ctl gps config: give one of --show or --save\n${GPS_CONFIG_USAGE}\n`);
    return EXIT.usage;
  }
  const path = own.values.socket ?? cfg["control.socket"];
  if (!path) {
    io.err(`stratum1ctl gps config: control.socket is off in ${configSource}; set it (stratum1ctl config set control.socket=/run/stratum1/control.sock) and restart stratum1d\n`);
    return EXIT.config;
  }
  const asked = await askService(path, wantSave ? "gps-config-save" : "gps-config-show");
  const style = styleFor(io);
  if (!asked.ok) {
    io.err(`${style.bad("stratum1ctl gps config:")} ${asked.message}\n`);
    return asked.cause === "absent" ? EXIT.notRunning : EXIT.failed;
  }
  const reply = asked.reply;
  if (json) {
    io.out(`${JSON.stringify(reply, null, 2)}\n`);
    return !reply.ok ? EXIT.failed : reply.request === "gps-config-save" && reply.result.outcome !== "acknowledged" ? EXIT.failed : EXIT.ok;
  }
  if (!reply.ok) {
    io.err(`${style.bad("stratum1ctl gps config:")} stratum1d says: ${reply.error}\n`);
    return EXIT.failed;
  }
  if (reply.request === "gps-config-show") {
    io.out(show(reply, style));
    return reply.items.some((i) => i.value !== undefined) ? EXIT.ok : EXIT.failed;
  }
  const out = saved(reply, style);
  io.out(out.text);
  return out.code;
}
