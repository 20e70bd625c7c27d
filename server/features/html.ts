// A plain HTML view of the feature API for people with a browser: the same documents, readable.
const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:14px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:24px;max-width:1100px;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}th{background:#f4f4f4}
a{color:#1a5fb4}.note{color:#777}code{background:#f4f4f4;padding:0 3px}</style></head>
<body><p class="note">征收一张图 · OGC API – Features · 演示数据，非真实数据</p><h1>${esc(title)}</h1>${body}</body></html>`;
}

export function linksList(links: { href: string; rel: string; type?: string; title?: string }[]): string {
  return `<ul>${links.map((l) => `<li><a href="${esc(l.href)}">${esc(l.title ?? l.rel)}</a> <span class="note">${esc(l.rel)} · ${esc(l.type ?? '')}</span></li>`).join('')}</ul>`;
}

export function table(rows: Record<string, unknown>[], columns: string[], link?: (row: Record<string, unknown>) => string): string {
  const head = `<tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${columns.map((c, i) => {
    const v = esc(r[c]);
    return `<td>${i === 0 && link ? `<a href="${esc(link(r))}">${v}</a>` : v}</td>`;
  }).join('')}</tr>`).join('');
  return `<table>${head}${body}</table>`;
}

export { esc };
