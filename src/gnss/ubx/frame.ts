/** UBX frame checksum: 8-bit Fletcher over class, id, length and payload. */
export function ubxChecksum(bytes: Iterable<number>): [number, number] {
  let a = 0;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) & 0xff;
    b = (b + a) & 0xff;
  }
  return [a, b];
}

export function encodeUbx(msgClass: number, msgId: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xb5, 0x62, msgClass, msgId, payload.length & 0xff, payload.length >> 8]);
  const [a, b] = ubxChecksum([...header.subarray(2), ...payload]);
  return Buffer.concat([header, payload, Buffer.from([a, b])]);
}
