/*
 * A scenario judged in virtual time: the capture, at its own dates, played
 * by the same player into the whole service on the virtual box's fakes (the
 * scripted serial line, the sysfs-shaped kernel PPS directory, the LCD
 * emulator), the samples it sends where chrony's SOCK sockets would be, and
 * a chronyd model in place of chronyd. It judges behaviour (labels, states,
 * alarms, the panel) in seconds, the same way every run; chrony's own
 * selection and precision are the real-time judge's (judge.ts).
 */
import type { CaptureRecord } from "../../src/capture/captureFormat.js";
import type { SentSample } from "../../sim/fakes/collectingDatagrams.js";
import { playCapture } from "../../sim/replay/capturePlayer.js";
import { VirtualBackend } from "../../sim/virtual/virtualBackend.js";
import { startVirtualBox } from "../../sim/virtual/virtualBox.js";
import { iso, judgeObservations, truthEdges, type JudgedSample, type Verdict } from "./judgement.js";
import type { Scenario } from "./scenario.js";

/** The box starts this long before the capture's first record. */
const LEAD_S = 4;
/** After the last record, time for the last samples and alarms to settle. */
const GRACE_S = 4;

function judged(refid: "PPS" | "NMEA", s: SentSample): JudgedSample {
  // chrony reads tv + offset as the time named; for a pulse that is a whole second, and the stamp is it minus the offset.
  const tv = s.sec + s.usec / 1e6;
  const labelled = Math.round(tv + s.offset);
  return { refid, labelled, stampS: refid === "PPS" ? labelled - s.offset : tv, rawOffsetS: s.offset };
}

export async function judgeScenarioVirtual(sc: Scenario): Promise<Verdict> {
  const baud = Number(sc.capture.header.baud ?? "9600");
  const records = sc.capture.records;
  const first = records[0];
  if (!first) throw new Error(`${sc.capturePath}: the capture has no records`);
  const hasPulse = records.some((r) => r.kind === "assert");
  const box = startVirtualBox({
    startUs: (first.at.sec - LEAD_S) * 1e6,
    settings: { "serial.baud": String(baud), "lcd.page": "2", ...(hasPulse ? {} : { "pps.sock": "off" }), ...(sc.service ?? {}) },
  });
  const { clock } = box;
  const screens: string[] = [];
  const alarmsSeen = new Set<string>();
  const notes: string[] = [];
  clock.every(100, () => {
    const screen = box.screen();
    if (screen !== screens[screens.length - 1]) screens.push(screen);
  });
  clock.every(1000, () => {
    for (const a of box.service.snapshot()?.alarms ?? []) alarmsSeen.add(a.id);
  });
  const sockets = [box.cfg["chrony.sock"], box.cfg["pps.sock"]].filter((p): p is string => p !== null);
  const chronyDown = (downS: number, r: CaptureRecord): void => {
    // A stopped chronyd takes its sockets with it; started again, it makes them anew.
    for (const p of sockets) box.datagrams.refuse(p, "ENOENT");
    if (box.chrony) box.chrony.down = true;
    clock.after(downS * 1000, () => {
      for (const p of sockets) box.datagrams.refuse(p, undefined);
      if (box.chrony) box.chrony.down = false;
    });
    notes.push(`chronyd stopped at ${iso(r.at.sec)} and started again ${downS} s later`);
  };
  const playing = playCapture(records, {
    clock,
    boxAheadS: 0,
    backend: new VirtualBackend(box.serial, box.kernel, baud),
    onEvent: (r) => {
      if (r.event === "chrony-restart") chronyDown(Number(r.args || "0"), r);
      else if (r.event === "note") notes.push(r.args);
    },
  });
  const last = records[records.length - 1]!;
  await clock.runTo((last.at.sec + GRACE_S) * 1e6);
  await playing;
  const lastStatus = box.service.snapshot();
  const samples = [...box.datagrams.samples(box.cfg["pps.sock"] ?? "").map((s) => judged("PPS", s)), ...box.datagrams.samples(box.cfg["chrony.sock"] ?? "").map((s) => judged("NMEA", s))];
  const selected = box.chrony?.sources().find((s) => s.state === "*")?.name;
  const edges = truthEdges(records);
  await box.close();
  return judgeObservations(sc, {
    samples,
    edges,
    stamps: { exact: true },
    lines: box.log,
    screens,
    alarmsSeen,
    lastStatus,
    selected,
    runLines: [
      `capture   ${sc.capturePath} (${sc.capture.header.receiver ?? "receiver not named"}, ${baud} baud, ${records.length} records, ${edges.length} pulse edges)`,
      `replay    virtual time, at the capture's own dates; the service in process on the fakes, a chronyd model`,
    ],
    notes,
  });
}
