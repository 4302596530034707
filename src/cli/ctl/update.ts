/*
 * stratum1ctl update: A/B updates with RAUC (docs/updates.md).
 *   status              slots, versions, what is booted and committed, a pending trial, the last rollback
 *   install FILE|URL    writes a signed bundle into the inactive slot and arms it for one trial boot
 *   acknowledge         clears the rollback alarm
 *   commit              at boot (stratum1-update-commit.service): commit a trial on good time, else roll back
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statfsSync } from "node:fs";
import { freemem } from "node:os";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { bootedSlot, openBootStore, type BootStore } from "../../update/bootStore.js";
import { awaitGoodTime, decideAtBoot, recordRollback } from "../../update/commit.js";
import { barFromRunning, judgeTime } from "../../update/goodTime.js";
import { otherSlot, SLOTS, type SlotName } from "../../update/layout.js";
import { explainRefusal, raucInstall, raucMark, raucSlots, type RaucSlotInfo } from "../../update/rauc.js";
import { committedSlot, isTrial, slotState, type BootView } from "../../update/tryboot.js";
import { readUpdateStatus, rollbackAlarm, UPDATE_STATUS_PATH, writeUpdateStatus, type UpdatePhase, type UpdateStatus } from "../../update/updateStatus.js";
import type { CtlCommand, CtlIo } from "./command.js";
import { nowUs, parseCtlOptions, type CtlOptions } from "./ctlOptions.js";
import { readSnapshot } from "./snapshotFile.js";

const USAGE = `usage: stratum1ctl update status [--json]
       stratum1ctl update install FILE|URL [--reboot]
       stratum1ctl update acknowledge
       stratum1ctl update commit
A/B updates (docs/updates.md). install writes a bundle signed with the owner's
key into the slot not running and arms it for one trial boot; --reboot then
reboots into it ('0 tryboot'). The trial is committed when it reaches good time
within update.commit-timeout seconds, else the box returns to the old slot and
shows a rollback alarm until 'update acknowledge'. commit is what
stratum1-update-commit.service runs at boot. All but status need root (sudo).
Exit status: 0 done, 1 failed (refused bundle, no good time), 2 usage.`;

const BUILD_FILE = new URL("../../../../BUILD", import.meta.url);

function runningVersion(): string {
  try {
    return /^stratum1 (\S+)/.exec(readFileSync(BUILD_FILE, "utf8"))?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

function slotsOrEmpty(io: CtlIo): RaucSlotInfo[] {
  try {
    return raucSlots();
  } catch (err) {
    io.err(`stratum1ctl update: ${(err as Error).message} (versions shown as unknown)\n`);
    return [];
  }
}

function buildStatus(v: BootView, booted: SlotName | null, rauc: RaucSlotInfo[], phase: UpdatePhase | null, extra: Partial<UpdateStatus> = {}): UpdateStatus {
  const committed = committedSlot(v);
  const version = (s: SlotName): string => (s === booted ? runningVersion() : (rauc.find((r) => r.bootname === s)?.version ?? "unknown"));
  const trialSlot = v.state.trial ?? (booted !== null && booted !== committed ? booted : null);
  return {
    version: 1,
    updatedAt: new Date().toISOString(),
    running: { version: runningVersion(), slot: booted },
    phase: phase ?? (booted !== null && isTrial(v, booted) ? "trial" : v.state.trial ? "trial-armed" : "committed"),
    trial: trialSlot ? { slot: trialSlot, deadline: null } : null,
    install: null,
    rollback: v.state.rollback,
    slots: SLOTS.map((s) => ({ name: s, version: version(s), state: slotState(v, s), booted: s === booted, committed: s === committed })),
    ...extra,
  };
}

function render(s: UpdateStatus): string {
  const lines = [`running   ${s.running.version} from slot ${s.running.slot ?? "?"} (${s.phase})`];
  for (const slot of s.slots) {
    const tags = [slot.booted ? "booted" : "", slot.committed ? "committed" : "", slot.state === "bad" ? "BAD" : ""].filter((t) => t !== "").join(", ");
    lines.push(`slot ${slot.name}    ${slot.version}${tags ? `  (${tags})` : ""}`);
  }
  if (s.trial)
    lines.push(
      `trial     slot ${s.trial.slot}${s.phase === "trial-armed" ? ": armed, tried at the next 'reboot \"0 tryboot\"' (stratum1ctl update install --reboot does it)" : s.trial.deadline ? `: waiting for good time until ${s.trial.deadline}` : ""}`,
    );
  const alarm = rollbackAlarm(s);
  if (alarm) lines.push(`ALARM     ${alarm.title}: ${alarm.detail}`);
  else if (s.rollback) lines.push(`rollback  ${s.rollback.version} (slot ${s.rollback.slot}) at ${s.rollback.at}, acknowledged`);
  return lines.join("\n") + "\n";
}

function needRoot(io: CtlIo): boolean {
  if (process.getuid?.() === 0) return true;
  io.err("stratum1ctl update: this needs root: run it with sudo\n");
  return false;
}

/** A URL is downloaded into RAM (the root is read-only, /data is never used for updates); refused when it would not fit. */
async function fetchBundle(url: string, io: CtlIo): Promise<string> {
  const path = "/run/stratum1-update/download.raucb";
  mkdirSync("/run/stratum1-update", { recursive: true, mode: 0o755 });
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`download ${url}: HTTP ${res.status}`);
  const size = Number(res.headers.get("content-length") ?? "0");
  const free = Math.min(freemem(), statfsSync("/run").bavail * statfsSync("/run").bsize);
  if (size > 0 && size > free - (64 << 20))
    throw new Error(`the bundle is ${Math.round(size / 2 ** 20)} MiB and only ${Math.round(free / 2 ** 20)} MiB of RAM is free: copy it to a USB stick and install from there`);
  io.out(`downloading ${url}${size ? ` (${Math.round(size / 2 ** 20)} MiB)` : ""} to RAM\n`);
  await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), createWriteStream(path, { mode: 0o600 }));
  return path;
}

async function install(args: readonly string[], opts: CtlOptions, io: CtlIo): Promise<number> {
  const source = args[0];
  if (!source || args.length > 2 || (args[1] !== undefined && args[1] !== "--reboot")) {
    io.err(USAGE + "\n");
    return 2;
  }
  if (!needRoot(io)) return 1;
  const store = openBootStore();
  const before = store.load();
  const booted = bootedSlot();
  if (booted === null) throw new Error("cannot tell which slot is running (no rauc.slot= on the kernel command line): was this box made with the A/B image?");
  if (isTrial(before, booted)) throw new Error(`this boot is the trial of slot ${booted}, not yet committed: wait for it to commit or roll back (stratum1ctl update status)`);
  const snap = opts.statusPath ? await readSnapshot(opts.statusPath, nowUs(io)) : null;
  const bar = barFromRunning(snap?.ok && !snap.stale ? snap.snapshot : null, nowUs(io));
  const isUrl = /^https?:\/\//.test(source);
  if (!isUrl && !existsSync(source)) throw new Error(`no such bundle: ${source}`);
  const file = isUrl ? await fetchBundle(source, io) : source;
  const publish = (extra: Partial<UpdateStatus>, phase: UpdatePhase | null): void => writeUpdateStatus(buildStatus(store.load(), booted, slotsOrEmpty(io), phase, extra));
  let last = -1;
  let lastStep = "";
  publish({ install: { percent: 0, step: "starting", bundle: source } }, "installing");
  const result = await raucInstall(file, (p) => {
    if (p.percent === last) return;
    last = p.percent;
    // Every step once and every 10 % on the terminal; every percent to the panel.
    if (p.step !== lastStep || p.percent % 10 === 0) io.out(`${String(p.percent).padStart(3)}% ${p.step}\n`);
    lastStep = p.step;
    writeUpdateStatus(buildStatus(before, booted, [], "installing", { install: { percent: p.percent, step: p.step, bundle: source } }));
  });
  if (isUrl) rmSync(file, { force: true });
  if (!result.ok) {
    publish({}, null);
    io.err(`stratum1ctl update: the bundle was refused or could not be installed; nothing changed, slot ${booted} keeps running: ${explainRefusal(result.message)}\n`);
    return 1;
  }
  const armed = store.load();
  const slot = armed.state.trial ?? otherSlot(booted);
  const after: BootView = { ...armed, state: { ...armed.state, trialBar: bar, trialRebooted: args[1] === "--reboot" } };
  store.save(armed, after);
  publish({}, null);
  const rauc = slotsOrEmpty(io);
  io.out(
    `installed ${rauc.find((r) => r.bootname === slot)?.version ?? "the bundle"} into slot ${slot}; it is tried at the next 'reboot "0 tryboot"' and committed if it reaches good time (${bar === "receiver" ? "pulse labelled, chrony on it" : "chrony synchronised"}) within ${opts.config["update.commit-timeout"]} s\n`,
  );
  if (args[1] === "--reboot") {
    io.out(`rebooting with "0 tryboot" to try slot ${slot}\n`);
    const r = spawnSync("systemctl", ["reboot", "--reboot-argument=0 tryboot"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`systemctl reboot failed: ${r.stderr.trim()}`);
  } else {
    io.out(`to try it now: sudo systemctl reboot --reboot-argument="0 tryboot" (or install again with --reboot)\n`);
  }
  return 0;
}

/** At boot: the decision of commit.ts, carried out. */
async function commitAtBoot(opts: CtlOptions, io: CtlIo): Promise<number> {
  const log = (l: string): void => io.out(`${l}\n`);
  const booted = bootedSlot();
  if (booted === null) {
    // A box installed by hand, or a container: no A/B boot, nothing to read or write.
    log("no rauc.slot= on the kernel command line: not an A/B boot, nothing to commit");
    return 0;
  }
  const store: BootStore = openBootStore();
  const view = store.load();
  const decision = decideAtBoot(view, booted);
  const rauc = slotsOrEmpty(io);
  const versionOf = (s: SlotName): string => rauc.find((r) => r.bootname === s)?.version ?? "unknown";
  switch (decision.kind) {
    case "unknown-boot":
      log("no rauc.slot= on the kernel command line: not an A/B boot, nothing to commit");
      return 0;
    case "steady":
    case "armed":
      writeUpdateStatus(buildStatus(view, booted, rauc, null));
      log(decision.kind === "armed" ? `slot ${decision.slot} is armed for a trial boot; running the committed slot ${booted}` : `running the committed slot ${booted}; nothing pending`);
      return 0;
    case "trial-failed": {
      const after = recordRollback(
        view,
        decision.slot,
        versionOf(decision.slot),
        new Date(),
        `the trial boot of slot ${decision.slot} did not commit (it crashed, hung, lost power or gave up before good time); the firmware returned to slot ${booted}`,
      );
      store.save(view, after);
      writeUpdateStatus(buildStatus(after, booted, rauc, null));
      log(`ROLLED BACK: ${after.state.rollback!.reason}`);
      return 0;
    }
    case "trial": {
      const timeoutS = opts.config["update.commit-timeout"];
      const deadline = new Date(Date.now() + timeoutS * 1000).toISOString();
      writeUpdateStatus(buildStatus(view, booted, rauc, "trial", { trial: { slot: decision.slot, deadline } }));
      log(`trial boot of slot ${decision.slot} (${runningVersion()}): committing when it reaches good time (${decision.bar}) within ${timeoutS} s`);
      const statusPath = opts.statusPath;
      const verdict = await awaitGoodTime(
        {
          judge: async () => {
            if (!statusPath) return { good: false, reason: "status.path is off: the service's status cannot be read" };
            const snap = await readSnapshot(statusPath, nowUs(io));
            if (!snap.ok) return { good: false, reason: snap.message };
            if (snap.stale) return { good: false, reason: "stratum1d's status is stale (not running?)" };
            return judgeTime(snap.snapshot, nowUs(io), decision.bar);
          },
          nowMs: () => Date.now(),
          sleep: (ms) => sleep(ms),
          log,
        },
        timeoutS,
      );
      if (verdict.good) {
        raucMark("good");
        const after = store.load();
        writeUpdateStatus(buildStatus(after, booted, slotsOrEmpty(io), null));
        log(`COMMITTED slot ${decision.slot} (${runningVersion()}): ${verdict.reason}`);
        return 0;
      }
      const failed = recordRollback(store.load(), decision.slot, runningVersion(), new Date(), verdict.reason);
      store.save(store.load(), failed);
      raucMark("bad");
      writeUpdateStatus(buildStatus(store.load(), booted, rauc, null));
      log(`ROLLING BACK slot ${decision.slot}: ${verdict.reason}; rebooting into slot ${committedSlot(failed)}`);
      spawnSync("systemctl", ["reboot"]);
      return 1;
    }
  }
}

function acknowledge(io: CtlIo): number {
  if (!needRoot(io)) return 1;
  const store = openBootStore();
  const v = store.load();
  if (!v.state.rollback || v.state.rollback.acknowledged) {
    io.out("no rollback to acknowledge\n");
    return 0;
  }
  const after: BootView = { ...v, state: { ...v.state, rollback: { ...v.state.rollback, acknowledged: true } } };
  store.save(v, after);
  writeUpdateStatus(buildStatus(after, bootedSlot(), slotsOrEmpty(io), null));
  io.out(`acknowledged: the rollback of ${v.state.rollback.version} (slot ${v.state.rollback.slot}) at ${v.state.rollback.at}\n`);
  return 0;
}

export const updateCommand: CtlCommand = {
  name: "update",
  summary: "A/B updates: status, install a signed bundle, acknowledge a rollback",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseCtlOptions(args, io);
    if (!parsed.ok) {
      io.err(`stratum1ctl update: ${parsed.message}\n`);
      return 2;
    }
    const opts = parsed.value;
    const [sub, ...rest] = opts.rest;
    try {
      switch (sub) {
        case "status": {
          let s: UpdateStatus;
          try {
            s = buildStatus(openBootStore().load(), bootedSlot(), slotsOrEmpty(io), null, { trial: readUpdateStatus()?.trial ?? null });
          } catch (err) {
            // The boot selection is on a root-only device; without sudo, what the box published at boot.
            const published = readUpdateStatus();
            if (!published) throw err;
            if (!opts.json) io.err(`(${(err as Error).message.split(":")[0]}: showing ${UPDATE_STATUS_PATH} as of ${published.updatedAt}; sudo for the live view)\n`);
            s = published;
          }
          io.out(opts.json ? JSON.stringify(s, null, 2) + "\n" : render(s));
          return 0;
        }
        case "install":
          return await install(rest, opts, io);
        case "acknowledge":
          return acknowledge(io);
        case "commit":
          if (!needRoot(io)) return 1;
          return await commitAtBoot(opts, io);
        default:
          io.err(USAGE + "\n");
          return 2;
      }
    } catch (err) {
      io.err(`stratum1ctl update: ${(err as Error).message}\n`);
      return 1;
    }
  },
};
