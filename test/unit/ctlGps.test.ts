/*
 * `stratum1ctl gps` on snapshots built by the real pipeline from real
 * receiver captures: the satellite table must say what the capture's last
 * GSV/GSA set says (read here independently, line by line), and agree with
 * gpsd's own decode of the same capture (its SKY report in X.log.chk).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { capturesDir } from "../support/chk.js";
import { captureHealth, ctl, snapshotOf, tmp, writeSnapshot } from "../support/ctl.js";

const NOW = Date.parse("2026-11-22T12:00:00Z") * 1000;

interface Row {
  system: string;
  id: number;
  el: number | null;
  az: number | null;
  cno: number | null;
  used: boolean;
}

/** The rows of the table stratum1ctl printed. */
function tableRows(out: string): Row[] {
  const rows: Row[] = [];
  for (const line of out.split("\n")) {
    const m = /^ {2}(GPS|GLONASS|Galileo|BeiDou|QZSS|SBAS|NavIC|unknown) +(\d+) +(-|-?\d+°) +(-|\d+°) +(-|\d+) +([YN])\b/.exec(line);
    if (!m) continue;
    const num = (t: string) => (t === "-" ? null : Number(t.replace("°", "")));
    rows.push({ system: m[1]!, id: Number(m[2]), el: num(m[3]!), az: num(m[4]!), cno: num(m[5]!), used: m[6] === "Y" });
  }
  return rows;
}

/** The capture's last epoch that lists satellites, read straight from its lines: GSV blocks (strongest signal) and GSA used lists. */
function lastSkyInCapture(name: string): Map<string, Row> {
  const lines = readFileSync(join(capturesDir(), name), "latin1").split(/\r?\n/);
  let epochTime = "";
  let sky = new Map<string, Row>();
  let used: Array<{ sys: string | null; ids: number[] }> = [];
  let last: { sky: Map<string, Row>; used: typeof used } | undefined;
  const talkerSys: Record<string, string> = { GP: "GPS", GL: "GLONASS", GA: "Galileo", GB: "BeiDou" };
  const nmea41Sys: Record<string, string> = { "1": "GPS", "2": "GLONASS", "3": "Galileo", "4": "BeiDou" };
  const sysOf = (sys: string | null, prn: number): string => {
    if (sys === null || sys === "GPS") return prn <= 32 ? "GPS" : prn <= 64 ? "SBAS" : "GLONASS";
    return sys;
  };
  for (const line of lines) {
    const m = /^\$(G[A-Z])(GSV|GSA|RMC|GGA|GLL|ZDA),(.*)\*[0-9A-F]{2}$/.exec(line);
    if (!m) continue;
    const [, talker, type, body] = m as unknown as [string, string, string, string];
    const f = body.split(",");
    const time = type === "GLL" ? f[4] : type === "GSV" || type === "GSA" ? undefined : f[0];
    if (time !== undefined && time !== "" && time !== epochTime) {
      if (sky.size > 0) last = { sky, used };
      epochTime = time;
      sky = new Map();
      used = [];
    }
    if (type === "GSV") {
      const blocks = f.slice(3);
      for (let i = 0; i + 4 <= blocks.length; i += 4) {
        if (blocks[i] === "") continue;
        const prn = Number(blocks[i]);
        const system = sysOf(talkerSys[talker] ?? null, prn);
        const key = `${system}:${prn}`;
        const n = (t: string | undefined) => (t === undefined || t === "" ? null : Number(t));
        const prev = sky.get(key);
        const cno = n(blocks[i + 3]);
        sky.set(key, {
          system,
          id: prn,
          el: prev?.el ?? n(blocks[i + 1]),
          az: prev?.az ?? n(blocks[i + 2]),
          cno: Math.max(prev?.cno ?? -1, cno ?? -1) < 0 ? null : Math.max(prev?.cno ?? -1, cno ?? -1),
          used: false,
        });
      }
    } else if (type === "GSA") {
      used.push({
        sys: nmea41Sys[f[17] ?? ""] ?? (talker === "GN" ? null : (talkerSys[talker] ?? null)),
        ids: f
          .slice(2, 14)
          .filter((x) => x !== "")
          .map(Number),
      });
    }
  }
  if (sky.size > 0) last = { sky, used };
  assert.ok(last, `${name} lists satellites`);
  for (const u of last.used)
    for (const id of u.ids) {
      const row = last.sky.get(`${sysOf(u.sys, id)}:${id}`);
      if (row) row.used = true;
    }
  return last.sky;
}

/** gpsd's last SKY report with satellites: by gnssId:svId, strongest signal, used on any signal. */
function gpsdSky(name: string): Map<string, { el: number | undefined; az: number | undefined; ss: number | undefined; used: boolean }> {
  const skies = readFileSync(join(capturesDir(), `${name}.chk`), "utf8")
    .split("\n")
    .filter((l) => l.startsWith('{"class":"SKY"') && l.includes('"satellites"'));
  const last = JSON.parse(skies.at(-1)!) as { satellites: Array<{ gnssid: number; svid: number; el?: number; az?: number; ss?: number; used: boolean }> };
  const out = new Map<string, { el: number | undefined; az: number | undefined; ss: number | undefined; used: boolean }>();
  for (const x of last.satellites) {
    const k = `${x.gnssid}:${x.svid}`;
    const o = out.get(k);
    out.set(k, { el: x.el, az: x.az, ss: o?.ss !== undefined && (x.ss === undefined || o.ss > x.ss) ? o.ss : x.ss, used: (o?.used ?? false) || x.used });
  }
  return out;
}

const GNSS_ID: Record<string, number> = { GPS: 0, SBAS: 1, Galileo: 2, BeiDou: 3, QZSS: 5, GLONASS: 6 };

/** Our row's gpsd key: NMEA numbers GLONASS 65–96 and SBAS 33–64 (gpsd: svId 1–32, 120–151); UBX gives svIds already. */
const gpsdKey = (r: Row, fromNmea: boolean): string => `${GNSS_ID[r.system]}:${fromNmea && r.system === "GLONASS" ? r.id - 64 : fromNmea && r.system === "SBAS" ? r.id + 87 : r.id}`;

async function gpsTable(capture: string): Promise<{ out: string; rows: Row[]; code: number }> {
  const dir = tmp();
  const path = writeSnapshot(dir, snapshotOf(captureHealth(capture, NOW), NOW));
  const r = await ctl(["gps", "--status", path], { nowUs: NOW + 400_000 });
  return { out: r.out, rows: tableRows(r.out), code: r.code };
}

for (const capture of ["neo-m8n.log", "ublox-zed-f9p-nmea.log", "ublox-lea-5h.log", "mt3339.log"]) {
  test(`gps: the satellite table of ${capture} is its last GSV/GSA set, and gpsd agrees`, async () => {
    const { out, rows, code } = await gpsTable(capture);
    assert.equal(code, 0);
    const expected = lastSkyInCapture(capture);
    assert.equal(rows.length, expected.size, out);
    for (const row of rows) assert.deepEqual(row, expected.get(`${row.system}:${row.id}`), `${row.system} ${row.id}`);
    assert.ok(rows.some((r) => r.used) && rows.some((r) => !r.used), "both used and unused satellites");
    const gpsd = gpsdSky(capture);
    assert.equal(gpsd.size, rows.length, "gpsd lists as many satellites");
    for (const row of rows) {
      const g = gpsd.get(gpsdKey(row, true));
      assert.ok(g, `gpsd has ${row.system} ${row.id}`);
      assert.deepEqual([row.el, row.az, row.cno, row.used], [g.el ?? null, g.az ?? null, g.ss ?? null, g.used], `${row.system} ${row.id}: ours vs gpsd`);
    }
  });
}

test("gps: a UBX-only timing receiver (NAV-SAT) gets its table, used flags included, as gpsd decodes it", async () => {
  const { out, rows, code } = await gpsTable("u-blox-m8t-time.log");
  assert.equal(code, 0);
  assert.match(out, /from UBX-NAV-SAT/);
  assert.match(out, /fix +time only/);
  const gpsd = gpsdSky("u-blox-m8t-time.log");
  assert.equal(rows.length, gpsd.size);
  for (const row of rows) {
    const g = gpsd.get(gpsdKey(row, false))!;
    assert.ok(g, `gpsd has ${row.system} ${row.id}`);
    // gpsd prints an untracked satellite's C/N0 as 0 and, with the elevation unknown, its azimuth as 0; the table says "-" for both.
    assert.equal(row.cno, g.ss === 0 ? null : (g.ss ?? null), `${row.system} ${row.id} C/N0`);
    assert.equal(row.el, g.el ?? null, `${row.system} ${row.id} elevation`);
    if (row.el !== null) assert.equal(row.az, g.az ?? null, `${row.system} ${row.id} azimuth`);
    else assert.equal(row.az, null);
    assert.equal(row.used, g.used, `${row.system} ${row.id} used`);
  }
});

test("gps: receiver identity, DOPs, position and antenna as the capture states them", async () => {
  const { out } = await gpsTable("ublox-lea-5h.log");
  const text = readFileSync(join(capturesDir(), "ublox-lea-5h.log"), "latin1");
  // The identity lines the receiver printed at start-up ($GPTXT …,MOD LEA-5H-0 and so on).
  for (const said of ["MOD LEA-5H-0", "HW  UBX-G50xx  00040005", "EXT CORE 6.00 (33247)"]) assert.ok(text.includes(said), said);
  assert.match(out, /receiver +u-blox LEA-5H-0, firmware EXT CORE 6\.00 \(33247\)[^,]*, hardware UBX-G50xx 00040005 \(from GPTXT\)/);
  assert.match(out, /antenna +ok \(GPTXT/);
  // The last GSA: …,1.69,1.00,1.37 (PDOP, HDOP, VDOP); the last GGA's position 5155.55…N 00434.65…E, 2.x m.
  const gsa = [...text.matchAll(/\$GPGSA,[^*]*,([\d.]+),([\d.]+),([\d.]+)\*/g)].at(-1)!;
  assert.match(out, new RegExp(`PDOP ${Number(gsa[1]).toFixed(2)}  HDOP ${Number(gsa[2]).toFixed(2)}  VDOP ${Number(gsa[3]).toFixed(2)}`));
  const gga = [...text.matchAll(/\$GPGGA,[\d.]+,(\d\d)([\d.]+),N,(\d{3})([\d.]+),E,[1-9],\d+,[\d.]+,(-?[\d.]+),M/g)].at(-1)!;
  const lat = Number(gga[1]) + Number(gga[2]) / 60;
  const lon = Number(gga[3]) + Number(gga[4]) / 60;
  assert.ok(out.includes(`${lat.toFixed(4)}° N, ${lon.toFixed(4)}° E, ${Math.round(Number(gga[5]))} m above sea level (rounded to ~11 m)`), out);
});

test("gps: MON-VER names a u-blox M8 in a real capture", async () => {
  const { out } = await gpsTable("ublox8-uniqid-monhw.log");
  const bytes = readFileSync(join(capturesDir(), "ublox8-uniqid-monhw.log"));
  for (const said of ["FWVER=SPG 3.01", "PROTVER=18.00"]) assert.ok(bytes.includes(said), said);
  assert.match(out, /receiver +u-blox, firmware SPG 3\.01, hardware 00080000, protocol 18\.00 \(from UBX-MON-VER\)/);
});
