/** The middle value (the upper middle for an even count); NaN for none. Tests judge precision by it so one stalled sample does not decide. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
