// The one print stylesheet of the conflict documents (压占分析报告, 报批材料): A4, CJK fonts, bordered
// tables with right-aligned tabular figures, headers repeated on every page. `base` is the body's font
// size in px (headings and tables scale from it); `extra` adds a document's own rules.
export function printStyle(base: number, extra = '', printExtra = ''): string {
  return `<style>
  :root { font-family: 'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif; color: #111; }
  body { margin: 24px auto; max-width: 960px; padding: 0 16px; font-size: ${base}px; line-height: 1.5; }
  h1 { font-size: ${base + 9}px; text-align: center; margin: 0 0 4px; letter-spacing: 2px; }
  .synthetic { text-align: center; color: #b00; font-size: 12px; margin: 0 0 12px; }
  dl.meta { display: grid; grid-template-columns: 5em 1fr 5em 1fr; gap: 2px 8px; margin: 0 0 12px; }
  dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; } dl.meta dd.wide { grid-column: span 3; }
  h2 { font-size: ${base + 3}px; border-bottom: 2px solid #e0245e; padding-bottom: 2px; margin: 18px 0 8px; }
  h3 { font-size: ${base + 1}px; margin: 12px 0 6px; }
  table { width: 100%; border-collapse: collapse; font-size: ${base - 1}px; }
  th, td { border: 1px solid #888; padding: 2px 4px; vertical-align: top; }
  th { background: #f2f2f2; font-weight: 600; }
  td.code { white-space: nowrap; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tfoot td { font-weight: 600; background: #fafafa; }
  .note { color: #555; font-size: ${base - 1}px; margin: 4px 0; }
  ul.consequences li.block { color: #b00000; font-weight: 600; } ul.consequences li.warn { color: #8a5a00; }
${extra}
  @page { size: A4; margin: 14mm 12mm; }
  @media print {
    body { margin: 0; max-width: none; padding: 0; font-size: ${base - 2}px; }
    th, tfoot td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    thead { display: table-header-group; } tfoot { display: table-row-group; }
    tr { break-inside: avoid; page-break-inside: avoid; }
    h2, h3 { break-after: avoid; page-break-after: avoid; }
${printExtra}
  }
</style>`;
}
