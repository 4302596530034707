/** Runs one chronyc-style query (`tracking`, `sources`, `serverstats`, `clients`) and resolves with its CSV (-c) output, or rejects with a message naming the cause and the fix. */
export type ChronyQuery = (args: readonly string[]) => Promise<string>;
