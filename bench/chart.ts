// An SVG bar chart of chosen workloads: one group per workload, one bar per peer, on a log scale
// (the peers span three orders of magnitude), each bar labelled with its median and, where the peer
// reports them, its CPU time per operation and peak RSS. The margins are sized from the labels'
// widths, so every label shows whole.
import { perOp, type Result } from './harness';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const FONT = 13;

/**
 * A label's width in pixels at `size`, estimated from advance widths (em/1000) by character class
 * with 6 % to spare: checked against DejaVu Sans' own metrics (the chart's first font, wider than
 * Helvetica and Arial, its fallbacks), so that a label never runs past the margin made for it.
 */
export function textWidth(text: string, size = FONT, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if ('il.,:;\'|!'.includes(ch)) em += 280;
    else if (' ()[]/-fjtI'.includes(ch)) em += 340;
    else if ('mwMW@'.includes(ch)) em += 950;
    else if ('rz×·'.includes(ch)) em += 500;
    else if (/[A-Z]/.test(ch)) em += 730;
    else em += 590; // lower case letters, digits, µ and the rest
  }
  return Math.ceil((em / 1000) * size * 1.06 * (bold ? 1.1 : 1));
}

const valueLabel = (r: Result) => {
  const extra = [r.cpuMsPerOp === undefined ? '' : `CPU ${perOp(r.cpuMsPerOp)}`, r.maxRssMiB === undefined ? '' : `${r.maxRssMiB.toFixed(0)} MiB`].filter(Boolean);
  return extra.length ? `${perOp(r.medianMsPerOp)} (${extra.join(', ')})` : perOp(r.medianMsPerOp);
};

export function barChart(title: string, results: Result[]): string {
  const groups = [...new Set(results.map((r) => r.workload))];
  const bar = 18;
  const gap = 6;
  const pad = 10;
  const left = pad + Math.max(...results.map((r) => textWidth(r.peer))) + 8;
  const plot = 420;
  const right = Math.max(...results.map((r) => textWidth(valueLabel(r)))) + 6 + pad;
  const width = Math.max(left + plot + right, pad + textWidth(title, 16, true) + pad, ...groups.map((g) => pad + textWidth(g, FONT, true) + pad));
  const values = results.map((r) => r.medianMsPerOp);
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  const x = (ms: number) => ((Math.log10(ms) - lo) / (hi - lo || 1)) * plot;
  const out: string[] = [];
  let y = 50;
  for (const g of groups) {
    out.push(`<text x="${pad}" y="${y + 14}" font-weight="bold">${esc(g)}</text>`);
    y += 24;
    for (const r of results.filter((q) => q.workload === g)) {
      const w = Math.max(2, x(r.medianMsPerOp));
      out.push(`<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(r.peer)}</text>`);
      out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${r.peer.startsWith('netlink-native') ? '#2a7ab9' : r.peer.startsWith('C floor') ? '#555' : '#c8a050'}"/>`);
      out.push(`<text x="${(left + w + 6).toFixed(1)}" y="${y + 13}">${esc(valueLabel(r))}</text>`);
      y += bar + gap;
    }
    y += 12;
  }
  const ticks: string[] = [];
  for (let e = lo; e <= hi; e++) {
    const tx = left + x(10 ** e);
    ticks.push(`<line x1="${tx}" y1="40" x2="${tx}" y2="${y}" stroke="#ddd"/><text x="${tx}" y="${y + 16}" text-anchor="middle" fill="#666">${perOp(10 ** e).replace('.00', '').replace('.0 ', ' ')}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 30}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="${FONT}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
    ...ticks, ...out, '</svg>', '',
  ].join('\n');
}
