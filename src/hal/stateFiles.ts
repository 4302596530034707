/**
 * The state files other programs of the box write for stratum1d to show (the
 * fleet gate's, the updater's): their text, or null when the file is not
 * there. Read from the status tick, so an implementation must be quick: the
 * Linux one reads small files on tmpfs.
 */
export interface StateFiles {
  read(path: string): string | null;
}
