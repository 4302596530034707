/*
 * What stratum1ctl and the service say to each other over control.socket:
 * one JSON request per connection, one JSON reply, both bounded. Shared by
 * the server (controlServer.ts) and the client (cli/ctl/controlClient.ts) so
 * the two cannot drift apart.
 */
import type { StepResult } from "../gnss/control/commandRunner.js";
import type { ReadBackItem } from "../gnss/control/readBack.js";

export const CONTROL_REQUESTS = ["gps-config-show", "gps-config-save"] as const;
export type ControlRequestName = (typeof CONTROL_REQUESTS)[number];

/** A request is one short line; anything longer is not from stratum1ctl. */
export const MAX_REQUEST_BYTES = 1024;
/** A read-back is a few dozen short lines; the bound keeps a confused peer from filling memory. */
export const MAX_REPLY_BYTES = 256 * 1024;

export type ControlReply = { ok: true; request: "gps-config-show"; items: ReadBackItem[] } | { ok: true; request: "gps-config-save"; result: StepResult } | { ok: false; error: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const known = CONTROL_REQUESTS.join(", ");

export const isRequestName = (x: unknown): x is ControlRequestName => typeof x === "string" && (CONTROL_REQUESTS as readonly string[]).includes(x);

export function formatRequest(name: ControlRequestName): string {
  return `${JSON.stringify({ request: name })}\n`;
}

/** The service's side: what was asked, or why it cannot be answered. */
export function parseRequest(text: string): Parsed<ControlRequestName> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: `not JSON: send one line such as {"request":"gps-config-show"}` };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, error: `not a JSON object: send {"request":NAME} with NAME one of ${known}` };
  const name = (body as { request?: unknown }).request;
  if (!isRequestName(name)) return { ok: false, error: `unknown request ${JSON.stringify(name ?? null)}: known requests are ${known}` };
  return { ok: true, value: name };
}

const isItem = (x: unknown): x is ReadBackItem => {
  const i = x as Partial<ReadBackItem> | null;
  return typeof i === "object" && i !== null && typeof i.name === "string" && typeof i.detail === "string" && (i.value === undefined || typeof i.value === "string");
};

const isStep = (x: unknown): x is StepResult => {
  const r = x as Partial<StepResult> | null;
  return typeof r === "object" && r !== null && typeof r.step === "string" && typeof r.what === "string" && typeof r.outcome === "string" && typeof r.detail === "string";
};

/** stratum1ctl's side: the service's reply checked for the shape it promised. */
export function parseReply(text: string): Parsed<ControlReply> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: "the reply is not JSON" };
  }
  const r = body as Record<string, unknown> | null;
  if (typeof r !== "object" || r === null) return { ok: false, error: "the reply is not a JSON object" };
  if (r.ok === false && typeof r.error === "string") return { ok: true, value: { ok: false, error: r.error } };
  if (r.ok === true && r.request === "gps-config-show" && Array.isArray(r.items) && r.items.every(isItem)) return { ok: true, value: { ok: true, request: "gps-config-show", items: r.items } };
  if (r.ok === true && r.request === "gps-config-save" && isStep(r.result)) return { ok: true, value: { ok: true, request: "gps-config-save", result: r.result } };
  return { ok: false, error: "the reply is not one stratum1ctl knows (a stratum1d of another version?)" };
}
