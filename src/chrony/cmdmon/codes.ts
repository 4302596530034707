/*
 * The numbers of chrony's command protocol, version 6 (candm.h), for the
 * requests this box makes and the answers chronyd 4.x gives them.
 *
 * Protocol version 6 has not changed since chrony 2.x; what changes between
 * releases is the layout of single replies, each new layout under a new
 * reply code (the old code's length in pktlength.c set to 0, "not
 * supported"). Of the replies this box reads, only serverstats changed in
 * 4.x: SERVER_STATS2 (4.0, 4.1), SERVER_STATS3 (4.2, 4.3), SERVER_STATS4
 * (4.4 onwards, checked up to 4.8). Tracking, sources, sourcestats, activity
 * and CLIENT_ACCESSES_BY_INDEX3 are the same bytes from 4.0 to 4.8.
 *
 * Which requests chronyd answers where (cmdmon.c, permissions[]): over its
 * UDP command port (127.0.0.1 / ::1, or hosts in 'cmdallow') only the
 * monitoring requests marked PERMIT_OPEN; everything else, including
 * serverstats and the client list, gets status UNAUTH ("501 Not authorised").
 * Over the unix control socket every request is answered: the socket's file
 * permissions are the only guard.
 */

/** Request codes (REQ_*): the ones the box sends, and NULL. */
export const Req = {
  NULL: 0,
  N_SOURCES: 14,
  SOURCE_DATA: 15,
  TRACKING: 33,
  SOURCESTATS: 34,
  ACTIVITY: 44,
  SERVER_STATS: 54,
  /** chrony 4.x's client list (the third layout of it: NTS-KE counters, 8 clients a reply). */
  CLIENT_ACCESSES_BY_INDEX3: 68,
} as const;

/** Reply codes (RPY_*) of those requests. */
export const Rpy = {
  NULL: 1,
  N_SOURCES: 2,
  SOURCE_DATA: 3,
  TRACKING: 5,
  SOURCESTATS: 6,
  ACTIVITY: 12,
  CLIENT_ACCESSES_BY_INDEX3: 21,
  /** serverstats of chrony 4.2 and 4.3: 11 counters of 32 bits. */
  SERVER_STATS3: 24,
  /** serverstats of chrony 4.4 and later: 64-bit counters, six timestamp counters more. */
  SERVER_STATS4: 25,
} as const;

/**
 * Reply codes this box does not read but can name, for the message when an
 * older chronyd answers with one: they say which version is on the other end.
 */
export const RETIRED_REPLIES: ReadonlyMap<number, string> = new Map([
  [14, "SERVER_STATS, sent by chrony 3.x"],
  [22, "SERVER_STATS2, sent by chrony 4.0 and 4.1"],
]);

/**
 * The requests chronyd answers from anyone allowed to reach its UDP command
 * port (PERMIT_OPEN in cmdmon.c): NULL, LOGON (always fails), N_SOURCES,
 * SOURCE_DATA, TRACKING, SOURCESTATS, RTCREPORT, MANUAL_LIST, ACTIVITY,
 * SMOOTHING, NTP_SOURCE_NAME. Nothing here changes chronyd's state.
 */
export const MONITORING_REQUESTS: ReadonlySet<number> = new Set([0, 10, 14, 15, 33, 34, 35, 41, 44, 51, 65]);

/** Status codes (STT_*), named for the error reasons, with the line chronyc prints for each. */
export const STATUS = {
  0: { name: "success", chronyc: "200 OK" },
  1: { name: "failed", chronyc: "500 Failure" },
  2: { name: "unauthorised", chronyc: "501 Not authorised" },
  3: { name: "invalid", chronyc: "502 Invalid command" },
  4: { name: "noSuchSource", chronyc: "503 No such source" },
  15: { name: "inactive", chronyc: "519 Client logging is not active in the daemon" },
  18: { name: "badPacketVersion", chronyc: "517 Protocol version mismatch" },
  19: { name: "badPacketLength", chronyc: "518 Packet length mismatch" },
} as const;

export type StatusCode = keyof typeof STATUS;
export type StatusName = (typeof STATUS)[StatusCode]["name"];

export const Stt = { SUCCESS: 0, FAILED: 1, UNAUTH: 2, INVALID: 3, NOSUCHSOURCE: 4, INACTIVE: 15, BADPKTVERSION: 18, BADPKTLENGTH: 19 } as const;

export function statusOf(code: number): { name: StatusName | "otherStatus"; chronyc: string } {
  return code in STATUS ? STATUS[code as StatusCode] : { name: "otherStatus", chronyc: `520 Got unexpected error from daemon (status ${code})` };
}
