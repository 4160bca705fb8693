import { styleText } from 'node:util';
import stringWidth from 'string-width';

/** Terminal columns a string takes (CJK and full-width characters two, emoji two, combining marks none). */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

/** Pads a string with spaces to `width` terminal columns. */
export function padToWidth(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** Label/value rows with the values aligned, indented by two spaces (Japanese labels included). */
export function keyValueLines(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([k]) => displayWidth(k)));
  return rows.map(([k, v]) => `  ${padToWidth(k, width)}  ${v}`);
}

/** The colours and styles `paint` takes (util.styleText's formats). */
export type Paint = Parameters<typeof styleText>[0];

/**
 * A painter for one output stream: colours only when the stream supports them (`stream.hasColors()`, which
 * honours NO_COLOR, FORCE_COLOR and a dumb TERM), else the text as is.
 */
export function painter(stream: NodeJS.WriteStream): (format: Paint, text: string) => string {
  const colour = typeof stream.hasColors === 'function' && stream.hasColors();
  return (format, text) => (colour ? styleText(format, text, { validateStream: false }) : text);
}
