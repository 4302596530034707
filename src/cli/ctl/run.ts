/* Dispatch of stratum1ctl's argv to its command; importable by tests without running anything. */
import type { CtlIo } from "./command.js";
import { EXIT } from "../exitCodes.js";
import { COMMANDS } from "./commands.js";

function help(io: CtlIo): void {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4);
  io.out(`usage: stratum1ctl COMMAND [options]   (stratum1ctl help COMMAND for its options)\n\n`);
  for (const c of COMMANDS) io.out(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
}

export async function runCtl(argv: readonly string[], io: CtlIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const about = rest[0] !== undefined ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (about) io.out(about.usage + "\n");
    else help(io);
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`stratum1ctl: unknown command '${name}'; try: ${COMMANDS.map((c) => c.name).join(", ")}\n`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(cmd.usage + "\n");
    return EXIT.ok;
  }
  return cmd.run(rest, io);
}
