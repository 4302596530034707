/* Plain-text tables for stratum1ctl: columns sized to their widest cell, numbers right-aligned. */
import { visibleLength } from "./style.js";

export interface Column {
  title: string;
  align?: "left" | "right";
}

const pad = (t: string, width: number, align: "left" | "right"): string => {
  const fill = " ".repeat(Math.max(0, width - visibleLength(t)));
  return align === "right" ? fill + t : t + fill;
};

export function renderTable(columns: readonly Column[], rows: readonly string[][], indent = "  "): string {
  const widths = columns.map((c, i) => Math.max(visibleLength(c.title), ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: readonly string[]): string =>
    indent +
    columns
      .map((c, i) => pad(cells[i] ?? "", widths[i]!, c.align ?? "left"))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...rows.map(line)].join("\n") + "\n";
}
