/*
 * The state files from the file system: a missing file is null (the program
 * is not there, or has not written yet); any other error is thrown, for the
 * caller to say. Read synchronously: they are small files on /run (tmpfs),
 * read in microseconds from the status tick, where an asynchronous read took
 * a thread-pool round trip and an extra wake-up of the service per file.
 * Most boxes have neither file, every second: stat says so without the cost
 * of an exception from a failed open.
 */
import { readFileSync, statSync } from "node:fs";
import type { StateFiles } from "../stateFiles.js";

export const fileStateFiles: StateFiles = {
  read(path) {
    if (!statSync(path, { throwIfNoEntry: false })) return null;
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      // Removed between the two calls.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  },
};
