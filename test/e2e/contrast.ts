// Page callbacks run in the browser: the DOM types apply to them.
// WCAG 2.x contrast from the page's computed styles: the page collects colour pairs (the foreground composited
// over the backdrop it is painted on), Node computes the ratios.

export type RGB = [number, number, number];

/** One colour pair to judge: text on its background, a control's border or a focus ring on what surrounds it. */
export interface ContrastSample {
  kind: 'text' | 'control border' | 'focus ring';
  /** Which element (tag, test id or classes, its first words). */
  what: string;
  fg: RGB;
  bg: RGB;
  /** The WCAG minimum: 4.5 for text, 3 for a control's boundary and a focus indicator. */
  need: number;
}

/** WCAG 2.x relative luminance of an sRGB colour (0–255 channels). */
export function relativeLuminance([r, g, b]: RGB): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2.x contrast ratio of two colours (1 to 21). */
export function contrastRatio(a: RGB, b: RGB): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Runs in the page. `screen`: every visible text (an element with its own text, not inside a disabled control)
 * and the border of every enabled text field, select and button. `focus`: the focus ring of the focused element
 * (drawn outside it, so against its parent's backdrop; a ring not drawn has the backdrop's colour and fails), or
 * nothing when only the page has the focus. Each against the backdrop composited from the ancestors' backgrounds
 * (and the element's opacity). Self-contained: Playwright sends its source to the page.
 */
export function collectContrastSamples(scope: 'screen' | 'focus'): ContrastSample[] {
  type RGBA = [number, number, number, number];
  const parse = (c: string): RGBA => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return [0, 0, 0, 0];
    const p = m[1]!
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [p[0]!, p[1]!, p[2]!, p.length > 3 ? p[3]! : 1];
  };
  const over = (top: RGBA, under: RGB): RGB => [0, 1, 2].map((i) => top[i]! * top[3] + under[i]! * (1 - top[3])) as RGB;
  const backdrop = (el: Element | null): RGB => {
    const layers: RGBA[] = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let rgb: RGB = [255, 255, 255];
    for (const l of layers.reverse()) rgb = over(l, rgb);
    return rgb;
  };
  const opacity = (el: Element): number => {
    let o = 1;
    for (let e: Element | null = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const visible = (el: Element): boolean => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const describe = (el: Element): string => {
    const id = el.getAttribute('data-testid');
    const cls = [...el.classList].join('.');
    return `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : cls ? `.${cls}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
  };
  const samples: ContrastSample[] = [];
  if (scope === 'focus') {
    const el = document.activeElement;
    if (!el || el === document.body) return samples;
    const s = getComputedStyle(el);
    const bg = backdrop(el.parentElement);
    const drawn = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    samples.push({
      kind: 'focus ring',
      what: describe(el),
      fg: drawn ? over(parse(s.outlineColor), bg) : bg,
      bg,
      need: 3,
    });
    return samples;
  }
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el) || el.closest(':disabled')) continue;
    if (![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())) continue;
    const bg = backdrop(el);
    const fg = parse(getComputedStyle(el).color);
    fg[3] *= opacity(el);
    samples.push({ kind: 'text', what: describe(el), fg: over(fg, bg), bg, need: 4.5 });
  }
  for (const el of document.querySelectorAll('input[type="text"], select, textarea, button')) {
    if (!visible(el) || (el as HTMLButtonElement).disabled) continue;
    const s = getComputedStyle(el);
    const bg = backdrop(el.parentElement);
    const border = parse(s.borderTopColor);
    const drawn = s.borderTopStyle !== 'none' && parseFloat(s.borderTopWidth) > 0;
    samples.push({ kind: 'control border', what: describe(el), fg: drawn ? over(border, bg) : bg, bg, need: 3 });
  }
  return samples;
}

/** The samples below their minimum, as readable lines (empty when every pair is contrasted enough). */
export function contrastFailures(samples: readonly ContrastSample[]): string[] {
  const hex = (c: RGB) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
  return samples
    .map((s) => ({ s, ratio: contrastRatio(s.fg, s.bg) }))
    .filter(({ s, ratio }) => ratio < s.need)
    .map(
      ({ s, ratio }) =>
        `${s.kind} ${s.what}: ${hex(s.fg)} on ${hex(s.bg)} is ${ratio.toFixed(2)}:1 (needs ${s.need}:1)`,
    );
}
