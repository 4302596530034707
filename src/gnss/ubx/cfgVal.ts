/*
 * UBX-CFG-VALSET (0x06 0x8A) and UBX-CFG-VALGET (0x06 0x8B): the Gen9/M10
 * key/value configuration interface (u-blox F9/M10 interface descriptions,
 * "UBX-CFG-VALSET", "UBX-CFG-VALGET"). Protocol < 27 (M8 and older) does
 * not know them and NAKs both.
 *
 * VALSET   0 version U1 (0: no transaction) | 1 layers X1: bit 0 RAM, 1 BBR, 2 Flash
 *          2 reserved U1[2] | 4 cfgData: key U4, value (1/1/2/4/8 bytes by the key's size) …
 * VALGET   poll:  0 version U1 (0) | 1 layer U1 (0 RAM, 1 BBR, 2 Flash, 7 default)
 *                 2 position U2 (skip this many results) | 4 keys U4 …
 *          reply: 0 version U1 (1) | 1 layer U1 | 2 position U2 | 4 cfgData: key U4, value …
 * At most 64 key/value pairs per message. Values are little-endian; an L
 * (boolean) takes one byte. A VALSET is all or nothing: one bad key NAKs
 * the whole message and nothing of it is applied.
 */
import { decoded, rejected, type Decoded } from "../report.js";
import { keyById, valueSize, type ConfigKey } from "./cfgKeys.js";
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";

export const MAX_KEYS_PER_MESSAGE = 64;

export type ConfigLayer = "ram" | "bbr" | "flash" | "default";
const LAYER_CODES: Record<ConfigLayer, number> = { ram: 0, bbr: 1, flash: 2, default: 7 };
const layerOf = (code: number): ConfigLayer | undefined => (Object.keys(LAYER_CODES) as ConfigLayer[]).find((l) => LAYER_CODES[l] === code);

export interface ConfigValue {
  key: ConfigKey;
  /** Booleans (L) as true/false; everything else as a number (8-byte values lose precision past 2^53, none here are that large). */
  value: number | boolean;
}

export interface LayerSet {
  ram: boolean;
  bbr: boolean;
  flash: boolean;
}

function writeValue(key: ConfigKey, value: number | boolean): Buffer {
  const size = valueSize(key.id);
  if (size === undefined) throw new RangeError(`${key.name}: key ID has no valid size field`);
  const b = Buffer.alloc(size);
  const n = typeof value === "boolean" ? (value ? 1 : 0) : value;
  switch (key.type) {
    case "L":
    case "U1":
    case "E1":
    case "X1":
      b.writeUInt8(n, 0);
      break;
    case "I1":
      b.writeInt8(n, 0);
      break;
    case "U2":
    case "E2":
    case "X2":
      b.writeUInt16LE(n, 0);
      break;
    case "I2":
      b.writeInt16LE(n, 0);
      break;
    case "U4":
    case "E4":
    case "X4":
      b.writeUInt32LE(n >>> 0, 0);
      break;
    case "I4":
      b.writeInt32LE(n, 0);
      break;
    case "R4":
      b.writeFloatLE(n, 0);
      break;
    case "R8":
      b.writeDoubleLE(n, 0);
      break;
    case "U8":
    case "X8":
      b.writeBigUInt64LE(BigInt(n), 0);
      break;
    case "I8":
      b.writeBigInt64LE(BigInt(n), 0);
      break;
  }
  return b;
}

function readValue(key: ConfigKey, b: Buffer): number | boolean {
  switch (key.type) {
    case "L":
      return b.readUInt8(0) !== 0;
    case "U1":
    case "E1":
    case "X1":
      return b.readUInt8(0);
    case "I1":
      return b.readInt8(0);
    case "U2":
    case "E2":
    case "X2":
      return b.readUInt16LE(0);
    case "I2":
      return b.readInt16LE(0);
    case "U4":
    case "E4":
    case "X4":
      return b.readUInt32LE(0);
    case "I4":
      return b.readInt32LE(0);
    case "R4":
      return b.readFloatLE(0);
    case "R8":
      return b.readDoubleLE(0);
    case "U8":
    case "X8":
      return Number(b.readBigUInt64LE(0));
    case "I8":
      return Number(b.readBigInt64LE(0));
  }
}

export function valSetPayload(layers: LayerSet, values: readonly ConfigValue[]): Buffer {
  if (values.length === 0 || values.length > MAX_KEYS_PER_MESSAGE) throw new RangeError(`CFG-VALSET takes 1..${MAX_KEYS_PER_MESSAGE} values, got ${values.length}`);
  const head = Buffer.from([0, (layers.ram ? 1 : 0) | (layers.bbr ? 2 : 0) | (layers.flash ? 4 : 0), 0, 0]);
  const parts: Buffer[] = [head];
  for (const v of values) {
    const k = Buffer.alloc(4);
    k.writeUInt32LE(v.key.id >>> 0, 0);
    parts.push(k, writeValue(v.key, v.value));
  }
  return Buffer.concat(parts);
}

export const cfgValSet = (layers: LayerSet, values: readonly ConfigValue[]): Buffer => encodeUbx(UBX.CFG_VALSET.msgClass, UBX.CFG_VALSET.msgId, valSetPayload(layers, values));

export function valGetPayload(layer: ConfigLayer, keys: readonly ConfigKey[], position = 0): Buffer {
  if (keys.length === 0 || keys.length > MAX_KEYS_PER_MESSAGE) throw new RangeError(`CFG-VALGET takes 1..${MAX_KEYS_PER_MESSAGE} keys, got ${keys.length}`);
  const p = Buffer.alloc(4 + 4 * keys.length);
  p.writeUInt8(0, 0);
  p.writeUInt8(LAYER_CODES[layer], 1);
  p.writeUInt16LE(position, 2);
  for (const [i, k] of keys.entries()) p.writeUInt32LE(k.id >>> 0, 4 + 4 * i);
  return p;
}

export const cfgValGet = (layer: ConfigLayer, keys: readonly ConfigKey[], position = 0): Buffer => encodeUbx(UBX.CFG_VALGET.msgClass, UBX.CFG_VALGET.msgId, valGetPayload(layer, keys, position));

/** Key/value pairs from `at` to the end of a payload; a string names what is wrong. */
export function parseKeyValues(p: Buffer, at: number, what: string): ConfigValue[] | string {
  const values: ConfigValue[] = [];
  while (at < p.length) {
    if (p.length - at < 4) return `${what}: ${p.length - at} stray bytes after the last value`;
    const id = p.readUInt32LE(at);
    const size = valueSize(id);
    if (size === undefined) return `${what}: key 0x${id.toString(16)} has no valid size`;
    if (at + 4 + size > p.length) return `${what}: value of key 0x${id.toString(16)} cut short`;
    const key = keyById(id);
    values.push({ key, value: readValue(key, p.subarray(at + 4, at + 4 + size)) });
    at += 4 + size;
  }
  return values;
}

export interface ValSetRequest {
  layers: LayerSet;
  values: ConfigValue[];
}

/** A VALSET as the receiver sees it (the simulated receiver parses what the host sends). */
export function parseValSet(p: Buffer): ValSetRequest | string {
  if (p.length < 4) return `CFG-VALSET payload ${p.length} bytes, shorter than its header`;
  if (p.readUInt8(0) !== 0) return `CFG-VALSET version ${p.readUInt8(0)}: transactions are not used by this box`;
  const l = p.readUInt8(1);
  const values = parseKeyValues(p, 4, "CFG-VALSET");
  if (typeof values === "string") return values;
  if (values.length === 0) return "CFG-VALSET without values";
  return { layers: { ram: (l & 1) !== 0, bbr: (l & 2) !== 0, flash: (l & 4) !== 0 }, values };
}

export interface ValGetRequest {
  layer: ConfigLayer;
  position: number;
  keyIds: number[];
}

export function parseValGetRequest(p: Buffer): ValGetRequest | string {
  if (p.length < 8 || (p.length - 4) % 4 !== 0 || p.readUInt8(0) !== 0) return `CFG-VALGET poll of ${p.length} bytes is malformed`;
  const layer = layerOf(p.readUInt8(1));
  if (!layer) return `CFG-VALGET layer ${p.readUInt8(1)} unknown`;
  const keyIds: number[] = [];
  for (let at = 4; at < p.length; at += 4) keyIds.push(p.readUInt32LE(at));
  return { layer, position: p.readUInt16LE(2), keyIds };
}

export function valGetReplyPayload(layer: ConfigLayer, position: number, values: readonly ConfigValue[]): Buffer {
  const head = Buffer.from([1, LAYER_CODES[layer], position & 0xff, position >> 8]);
  const parts: Buffer[] = [head];
  for (const v of values) {
    const k = Buffer.alloc(4);
    k.writeUInt32LE(v.key.id >>> 0, 0);
    parts.push(k, writeValue(v.key, v.value));
  }
  return Buffer.concat(parts);
}

/** A VALGET reply from the receiver (version 1). */
export function decodeCfgValGet(p: Buffer): Decoded {
  if (p.length < 4) return rejected("ubx-bad-payload", `UBX-CFG-VALGET payload ${p.length} bytes, shorter than its header`);
  if (p.readUInt8(0) !== 1) return rejected("ubx-bad-payload", `UBX-CFG-VALGET version ${p.readUInt8(0)} from the receiver, expected 1 (a reply)`);
  const layer = layerOf(p.readUInt8(1));
  if (!layer) return rejected("ubx-bad-payload", `UBX-CFG-VALGET layer ${p.readUInt8(1)} unknown`);
  const values = parseKeyValues(p, 4, "UBX-CFG-VALGET");
  if (typeof values === "string") return rejected("ubx-bad-payload", values);
  return decoded({ source: "UBX-CFG-VALGET", control: { kind: "config-values", layer, position: p.readUInt16LE(2), values } });
}
