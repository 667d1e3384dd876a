// An SVG bar chart of chosen workloads: one group per workload, one bar per peer, on a log scale
// (the peers span three orders of magnitude), each bar labelled with its median.
import type { Result } from './harness';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const label = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`);

export function barChart(title: string, results: Result[]): string {
  const groups = [...new Set(results.map((r) => r.workload))];
  const bar = 18;
  const gap = 6;
  const left = 330;
  const width = 900;
  const plot = width - left - 90;
  const values = results.map((r) => r.medianMsPerOp);
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  const x = (ms: number) => ((Math.log10(ms) - lo) / (hi - lo || 1)) * plot;
  const out: string[] = [];
  let y = 50;
  for (const g of groups) {
    out.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(g)}</text>`);
    y += 24;
    for (const r of results.filter((q) => q.workload === g)) {
      out.push(`<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(r.peer)}</text>`);
      out.push(`<rect x="${left}" y="${y}" width="${Math.max(2, x(r.medianMsPerOp)).toFixed(1)}" height="${bar}" fill="${r.peer.startsWith('netlink-native') ? '#2a7ab9' : r.peer.startsWith('C floor') ? '#555' : '#c8a050'}"/>`);
      out.push(`<text x="${left + Math.max(2, x(r.medianMsPerOp)) + 6}" y="${y + 13}">${label(r.medianMsPerOp)}</text>`);
      y += bar + gap;
    }
    y += 12;
  }
  const ticks: string[] = [];
  for (let e = lo; e <= hi; e++) {
    const tx = left + x(10 ** e);
    ticks.push(`<line x1="${tx}" y1="40" x2="${tx}" y2="${y}" stroke="#ddd"/><text x="${tx}" y="${y + 16}" text-anchor="middle" fill="#666">${label(10 ** e)}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 30}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
    ...ticks, ...out, '</svg>', '',
  ].join('\n');
}
