/*
 * The two packet headers of chrony's command protocol version 6 (candm.h
 * CMD_Request, CMD_Reply), and the rule that ties a request's length to its
 * reply's (pktlength.c). Network byte order throughout.
 *
 * Request (20-byte header, then the command's data, then zero padding):
 *    0       1       2       3
 *   +-------+-------+-------+-------+
 *   |version|pkttype| res1  | res2  |   version 6, pkt_type 1 (request), res 0
 *   +-------+-------+-------+-------+
 *   |    command    |    attempt    |   attempt: resends of this request, from 0
 *   +---------------+---------------+
 *   |           sequence            |   the client's choice; echoed in the reply
 *   +-------------------------------+
 *   |          pad1 (zero)          |
 *   |          pad2 (zero)          |
 *   +-------------------------------+
 *   20: command data, then padding up to the reply's length
 *
 * Reply (28-byte header, then the reply's data):
 *   +-------+-------+-------+-------+
 *   |version|pkttype| res1  | res2  |   version 6, pkt_type 2 (reply)
 *   +-------+-------+-------+-------+
 *   |    command    |     reply     |   command echoed; reply: which layout follows
 *   +---------------+---------------+
 *   |    status     |     pad1      |   status 0 success, 2 unauthorised, ...
 *   +---------------+---------------+
 *   |     pad2      |     pad3      |
 *   +---------------+---------------+
 *   |           sequence            |   echo of the request's
 *   +-------------------------------+
 *   |             pad4              |
 *   |             pad5              |
 *   +-------------------------------+
 *   28: reply data
 *
 * Why the padding: a UDP request with a forged source address would make
 * chronyd send its (larger) reply to the victim. Since protocol version 6 a
 * request must be at least as long as the reply it asks for: chronyd drops
 * without a word a request shorter than the 28-byte reply header, answers
 * 518 (bad length) one shorter than its command's padded length, and never
 * sends a reply longer than the request (transmit_reply). So each request is
 * max(20 + its data, 28 + the reply's data) bytes, the tail zero.
 *
 * A longer request is no fault: chronyd checks only that a request is not
 * shorter than its command's padded length (and not longer than its
 * CMD_Request, 860 bytes in 4.3 and 4.6). So one request serves chronyds
 * whose replies differ: serverstats is asked with the padding of the
 * longest layout this box reads (196 bytes, chrony 4.4's), and chrony 4.3
 * answers it with its own 72-byte layout just as well. No version probing,
 * no retry, nothing to remember: the reply's type says which layout came.
 *
 * chronyd sends exactly the length of the reply type it names: a success
 * reply is 28 + that layout's data, an error reply is a bare header (type
 * NULL, 28 bytes). Anything else is not from a chronyd speaking our layouts.
 */
import { Rpy, Stt } from "./codes.js";

export const PROTO_VERSION = 6;
export const PKT_TYPE_REQUEST = 1;
export const PKT_TYPE_REPLY = 2;
export const REQUEST_HEADER_LENGTH = 20;
export const REPLY_HEADER_LENGTH = 28;

/**
 * One layout of a reply: its code, its data length, and the chrony versions
 * that send it (for messages that say which chronyd is on the other end).
 */
export interface ReplyLayout<R> {
  readonly reply: number;
  /** Bytes of reply data after the header (offsetof EOR − 28). */
  readonly dataLength: number;
  /** Which chrony releases answer with it, as a phrase: "4.x", "4.4 and later". */
  readonly chrony: string;
  write(data: Buffer, r: R): void;
  read(data: Buffer): R;
}

/**
 * One kind of request and the replies it may get: codes, data lengths and
 * the codecs for both directions (the decoders for the client, the encoders
 * for the fake chronyd and the golden tests). Q is the request's argument,
 * R the reply's content, whichever layout it came in.
 */
export interface Exchange<Q, R> {
  /** chronyc's name for the command, for messages ("tracking", "sourcestats"). */
  readonly name: string;
  readonly command: number;
  /** Bytes of request data after the header, before padding (offsetof EOR − 20). */
  readonly requestDataLength: number;
  /** The layouts chronyd answers with, newest first; one for most requests. */
  readonly replies: readonly [ReplyLayout<R>, ...ReplyLayout<R>[]];
  writeRequest(data: Buffer, q: Q): void;
  readRequest(data: Buffer): Q;
}

/** The length a chronyd answering with `layout` requires: the request's data, padded up to that reply's length. */
export const paddedLength = (ex: Exchange<unknown, unknown>, layout: ReplyLayout<unknown>): number => Math.max(REQUEST_HEADER_LENGTH + ex.requestDataLength, REPLY_HEADER_LENGTH + layout.dataLength);

/** The on-wire length of a request: padded for the longest of its replies, so every chronyd that sends one of them takes it. */
export const requestLength = (ex: Exchange<unknown, unknown>): number => Math.max(...ex.replies.map((layout) => paddedLength(ex, layout)));

export const replyLength = (layout: ReplyLayout<unknown>): number => REPLY_HEADER_LENGTH + layout.dataLength;

/** The layout of an exchange's reply with code `reply`; undefined when it has none such. */
export const layoutOf = <R>(ex: Exchange<unknown, R>, reply: number): ReplyLayout<R> | undefined => ex.replies.find((l) => l.reply === reply);

/** "25 (chrony 4.4 and later) or 24 (chrony 4.2 and 4.3)": what an exchange reads, for messages. */
export const describeReplies = (ex: Exchange<unknown, unknown>): string => ex.replies.map((l) => `${l.reply} (chrony ${l.chrony})`).join(" or ");

export function buildRequest<Q>(ex: Exchange<Q, unknown>, q: Q, sequence: number, attempt: number): Buffer {
  const buf = Buffer.alloc(requestLength(ex));
  buf[0] = PROTO_VERSION;
  buf[1] = PKT_TYPE_REQUEST;
  buf.writeUInt16BE(ex.command, 4);
  buf.writeUInt16BE(attempt, 6);
  buf.writeUInt32BE(sequence >>> 0, 8);
  ex.writeRequest(buf.subarray(REQUEST_HEADER_LENGTH, REQUEST_HEADER_LENGTH + ex.requestDataLength), q);
  return buf;
}

export interface RequestHeader {
  version: number;
  pktType: number;
  reserved: number;
  command: number;
  attempt: number;
  sequence: number;
}

/** The header of a request, as chronyd reads it; undefined when shorter than a header. */
export function readRequestHeader(buf: Buffer): RequestHeader | undefined {
  if (buf.length < REQUEST_HEADER_LENGTH) return undefined;
  return { version: buf[0]!, pktType: buf[1]!, reserved: buf[2]! | buf[3]!, command: buf.readUInt16BE(4), attempt: buf.readUInt16BE(6), sequence: buf.readUInt32BE(8) };
}

export interface ReplyHeader {
  version: number;
  pktType: number;
  reserved: number;
  command: number;
  reply: number;
  status: number;
  sequence: number;
}

export function readReplyHeader(buf: Buffer): ReplyHeader {
  return { version: buf[0]!, pktType: buf[1]!, reserved: buf[2]! | buf[3]!, command: buf.readUInt16BE(4), reply: buf.readUInt16BE(6), status: buf.readUInt16BE(8), sequence: buf.readUInt32BE(16) };
}

/** A reply as chronyd builds it: the header for `request`, then `data` (error replies: status ≠ 0, no data, type NULL). */
export function buildReply(request: RequestHeader, reply: number, status: number, dataLength: number, version = PROTO_VERSION): Buffer {
  const buf = Buffer.alloc(REPLY_HEADER_LENGTH + (status === Stt.SUCCESS ? dataLength : 0));
  buf[0] = version;
  buf[1] = PKT_TYPE_REPLY;
  buf.writeUInt16BE(request.command, 4);
  buf.writeUInt16BE(status === Stt.SUCCESS ? reply : Rpy.NULL, 6);
  buf.writeUInt16BE(status, 8);
  buf.writeUInt32BE(request.sequence >>> 0, 16);
  return buf;
}

/** The data of a reply (after the header), for a layout's read/write. */
export const replyData = (buf: Buffer): Buffer => buf.subarray(REPLY_HEADER_LENGTH);
export const requestData = (buf: Buffer): Buffer => buf.subarray(REQUEST_HEADER_LENGTH);
