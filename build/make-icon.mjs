// Draws the app icon (a navy shield with a white check mark) and writes build/icon.png (512×512) and the
// Linux sizes in build/icons/. Plain Node (zlib PNG encoder), so no image tool is needed:
//   node build/make-icon.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const here = import.meta.dirname;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** Encodes RGBA pixels as a PNG. */
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Distance from point p to segment ab. */
function segDist(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The icon at `size` px, 4×4 supersampled; coordinates are in a 0..1 square. */
function draw(size) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let shield = 0;
      let check = 0;
      for (let sy = 0; sy < S; sy++)
        for (let sx = 0; sx < S; sx++) {
          const u = (x + (sx + 0.5) / S) / size;
          const v = (y + (sy + 0.5) / S) / size;
          // Shield: flat top with rounded shoulders, sides narrowing to a point at the bottom.
          const top = 0.1;
          const mid = 0.55;
          const half = v < mid ? 0.38 : 0.38 * Math.max(0, 1 - (v - mid) / (0.93 - mid)) ** 0.8;
          const inside = v >= top && v <= 0.93 && Math.abs(u - 0.5) <= half - (v < 0.16 ? (0.16 - v) * 1.2 : 0);
          if (inside) shield++;
          const d = Math.min(segDist(u, v, 0.32, 0.5, 0.45, 0.64), segDist(u, v, 0.45, 0.64, 0.7, 0.34));
          if (inside && d < 0.055) check++;
        }
      const a = shield / (S * S);
      const c = check / (S * S);
      const i = (y * size + x) * 4;
      // Navy #0d2240 blended with white by the check's coverage.
      out[i] = Math.round(13 + (255 - 13) * (c / Math.max(a, 1e-9)));
      out[i + 1] = Math.round(34 + (255 - 34) * (c / Math.max(a, 1e-9)));
      out[i + 2] = Math.round(64 + (255 - 64) * (c / Math.max(a, 1e-9)));
      out[i + 3] = Math.round(255 * a);
    }
  return png(size, out);
}

writeFileSync(join(here, 'icon.png'), draw(512));
mkdirSync(join(here, 'icons'), { recursive: true });
for (const s of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(join(here, 'icons', `${s}x${s}.png`), draw(s));
console.log('build/icon.png and build/icons/*.png written');
