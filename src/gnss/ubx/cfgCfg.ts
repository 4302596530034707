/*
 * UBX-CFG-CFG (0x06 0x09), 12 or 13 bytes: clear, save or load the
 * configuration (UBX-13003221 "UBX-CFG-CFG"):
 *   0 clearMask X4 | 4 saveMask X4 | 8 loadMask X4
 *  12 deviceMask X1 (optional): bit 0 devBBR, 1 devFlash, 2 devEEPROM, 4 devSpiFlash
 * Mask bits (M8): 0 ioPort, 1 msgConf, 2 infMsg, 3 navConf, 4 rxmConf,
 * 8 senConf, 9 rinvConf, 10 antConf, 11 logConf, 12 ftsConf. Gen9 treats
 * any set bit as "everything" (its interface descriptions keep CFG-CFG for
 * this purpose). Saving copies the current RAM configuration to the chosen
 * devices, so a receiver configured by the box starts that way without it.
 */
import { encodeUbx } from "./frame.js";
import { UBX } from "./messageIds.js";

export const ALL_SECTIONS = 0x00001f1f;

export interface CfgCfgRequest {
  clearMask: number;
  saveMask: number;
  loadMask: number;
  devices: { bbr: boolean; flash: boolean; eeprom: boolean; spiFlash: boolean } | undefined;
}

export function cfgCfgPayload(r: CfgCfgRequest): Buffer {
  const p = Buffer.alloc(r.devices ? 13 : 12);
  p.writeUInt32LE(r.clearMask >>> 0, 0);
  p.writeUInt32LE(r.saveMask >>> 0, 4);
  p.writeUInt32LE(r.loadMask >>> 0, 8);
  if (r.devices) p.writeUInt8((r.devices.bbr ? 1 : 0) | (r.devices.flash ? 2 : 0) | (r.devices.eeprom ? 4 : 0) | (r.devices.spiFlash ? 0x10 : 0), 12);
  return p;
}

/** Save the whole current configuration to battery-backed RAM and flash. */
export const cfgCfgSaveAll = (): Buffer =>
  encodeUbx(UBX.CFG_CFG.msgClass, UBX.CFG_CFG.msgId, cfgCfgPayload({ clearMask: 0, saveMask: ALL_SECTIONS, loadMask: 0, devices: { bbr: true, flash: true, eeprom: false, spiFlash: false } }));

export function parseCfgCfg(p: Buffer): CfgCfgRequest | string {
  if (p.length !== 12 && p.length !== 13) return `CFG-CFG payload ${p.length} bytes, expected 12 or 13`;
  const d = p.length === 13 ? p.readUInt8(12) : undefined;
  return {
    clearMask: p.readUInt32LE(0),
    saveMask: p.readUInt32LE(4),
    loadMask: p.readUInt32LE(8),
    devices: d === undefined ? undefined : { bbr: (d & 1) !== 0, flash: (d & 2) !== 0, eeprom: (d & 4) !== 0, spiFlash: (d & 0x10) !== 0 },
  };
}
