/** A "nice" axis top and tick step for values up to `max` (1, 2, 2.5 or 5 times a power of ten). */
export function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return { top: Math.ceil(max / step) * step, step };
}

/** Every n-th label so they do not overlap: about one per `minGapPx`. */
export function labelStride(count: number, widthPx: number, minGapPx = 72): number {
  return Math.max(1, Math.ceil(count / Math.max(1, Math.floor(widthPx / minGapPx))));
}
