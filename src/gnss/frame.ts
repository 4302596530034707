/** What the framer hands on: one complete unit of receiver output and when its last byte arrived. */
export type Frame =
  | {
      kind: "nmea";
      text: string;
      /** XOR of text's characters after the first, as the framer copied them (checksum without a second pass); absent: computed from text. */
      xor?: number;
      rxUs: number;
    }
  | { kind: "ubx"; msgClass: number; msgId: number; payload: Buffer; rxUs: number };

/** Why bytes were dropped before they formed a frame; each is a counter in the status. */
export type FramingReject = "garbage-bytes" | "line-too-long" | "line-truncated" | "line-binary" | "ubx-bad-checksum" | "ubx-bad-length";
