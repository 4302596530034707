/* Capture files on disk: plain text, or gzip when the name ends in .gz (a minute of 9600 baud is ~35 kB of text, ~8 kB compressed). */
import { createWriteStream, readFileSync, writeFileSync, type WriteStream } from "node:fs";
import { createGzip, gunzipSync, gzipSync, type Gzip } from "node:zlib";
import { formatCapture, formatHeader, formatRecord, parseCapture, type Capture, type CaptureHeader, type CaptureRecord } from "./captureFormat.js";

const gzipped = (path: string): boolean => path.endsWith(".gz");

export function readCaptureFile(path: string): Capture {
  const raw = readFileSync(path);
  return parseCapture((gzipped(path) ? gunzipSync(raw) : raw).toString("latin1"), path);
}

/** Written whole; gzip without a timestamp in its header, so the same capture gives the same bytes (the scenario library is checked in). */
export function writeCaptureFile(path: string, capture: Capture): void {
  const text = Buffer.from(formatCapture(capture), "latin1");
  writeFileSync(path, gzipped(path) ? gzipSync(text, { level: 9 }) : text);
}

/** Records appended as they happen, for the recorder. */
export class CaptureFileWriter {
  private readonly file: WriteStream;
  private readonly out: Gzip | WriteStream;

  constructor(path: string, header: CaptureHeader) {
    this.file = createWriteStream(path, { mode: 0o644 });
    if (gzipped(path)) {
      const gz = createGzip({ level: 9 });
      gz.pipe(this.file);
      this.out = gz;
    } else this.out = this.file;
    this.out.write(formatHeader(header).join("\n") + "\n");
  }

  write(record: CaptureRecord): void {
    this.out.write(formatRecord(record) + "\n", "latin1");
  }

  /** Resolves once every byte is on disk, or rejects with the write error (disk full, …). */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.file.once("error", reject);
      this.file.once("close", () => resolve());
      this.out.end();
    });
  }
}
