/**
 * Log lines for journald: the sd-daemon "<N>" priority prefix on stdout, which
 * journald turns into PRIORITY= and strips. One line per event; callers log
 * state changes, not periodic progress.
 */
export type Level = "error" | "warning" | "notice" | "info" | "debug";

const PRIORITY: Record<Level, number> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };

export interface Logger {
  log(level: Level, message: string): void;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export type LineWriter = (line: string) => void;

export function createLogger(write: LineWriter, minLevel: Level = "info"): Logger {
  const max = PRIORITY[minLevel];
  const log = (level: Level, message: string): void => {
    if (PRIORITY[level] > max) return;
    write(`<${PRIORITY[level]}>${message.replace(/\n/g, " ")}`);
  };
  return {
    log,
    error: (m) => log("error", m),
    warn: (m) => log("warning", m),
    info: (m) => log("info", m),
    debug: (m) => log("debug", m),
  };
}

export function stdoutLogger(minLevel: Level = "info"): Logger {
  return createLogger((line) => process.stdout.write(line + "\n"), minLevel);
}
