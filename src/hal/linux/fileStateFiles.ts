/*
 * The state files from the file system: a missing file is null (the program
 * is not there, or has not written yet); any other error is thrown, for the
 * caller to say. Read synchronously: they are small files on /run (tmpfs),
 * read in microseconds from the status tick, where an asynchronous read took
 * a thread-pool round trip and an extra wake-up of the service per file.
 */
import { readFileSync } from "node:fs";
import type { StateFiles } from "../stateFiles.js";

export const fileStateFiles: StateFiles = {
  read(path) {
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  },
};
