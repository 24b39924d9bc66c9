// The user manuals as PDF (issue 18): 《编办用户操作手册》 and 《部门(单位)用户操作手册》 from
// cards/manuals/*.md, A4, CJK fonts, a cover, a table of contents that jumps to each section, and
// the screenshots embedded (data: URIs, so the PDF needs nothing else). Printed by chromium
// (commands/chromium.ts). Used by GET /api/manuals/:which.pdf and `sanse manual office|unit --out`.

import fs from 'node:fs';
import { htmlToPdf } from './chromium.ts';
import { CommandError } from './errors.ts';
import { isManualKind, MANUAL_FILE_NAMES, manualImagePath, renderManual, type ManualKind } from '../cards/manuals.ts';

export interface ManualFile {
  kind: ManualKind;
  title: string;
  fileName: string;
  contentType: 'application/pdf';
  body: Buffer;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An image of the manuals as a data: URI (a missing file is an error: the browser test writes them all). */
function imageDataUri(name: string): string {
  const file = manualImagePath(name);
  if (!file || !fs.existsSync(file)) throw new CommandError(500, `操作手册缺少截图 ${name}：请运行 npx vitest run test/browser/manual.test.ts 重新生成`);
  return `data:image/png;base64,${fs.readFileSync(file).toString('base64')}`;
}

const CSS = `
@page { size: A4; margin: 18mm 16mm 18mm; }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 11pt; line-height: 1.7; color: #111; margin: 0; }
.cover { height: 240mm; display: flex; flex-direction: column; justify-content: center; text-align: center; page-break-after: always; }
.cover h1 { font-size: 28pt; margin: 0 0 10mm; letter-spacing: 2pt; }
.cover .sub { font-size: 14pt; color: #444; }
.toc { page-break-after: always; }
.toc h2 { font-size: 16pt; border: 0; }
.toc ol { list-style: none; padding: 0; margin: 0; }
.toc li { margin: 2pt 0; }
.toc li.l3 { padding-left: 2em; font-size: 10pt; }
.toc a { color: #111; text-decoration: none; }
h2 { font-size: 15pt; margin: 18pt 0 6pt; padding-bottom: 3pt; border-bottom: 1.5pt solid #1677ff; page-break-after: avoid; }
h3 { font-size: 12.5pt; margin: 12pt 0 4pt; page-break-after: avoid; }
p, li { orphans: 2; widows: 2; }
img { display: block; max-width: 100%; height: auto; max-height: 120mm; object-fit: contain; margin: 6pt auto; border: 0.5pt solid #bbb; page-break-inside: avoid; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; font-size: 10pt; page-break-inside: avoid; }
th, td { border: 0.5pt solid #888; padding: 3pt 5pt; text-align: left; vertical-align: top; }
th { background: #f0f4fa; }
code { font-family: "Noto Sans Mono CJK SC", monospace; font-size: 10pt; background: #f4f4f4; padding: 0 2pt; }
blockquote { margin: 6pt 0; padding: 4pt 10pt; border-left: 3pt solid #1677ff; background: #f5f9ff; }
a { color: #1677ff; }
`;

/** The manual as one printable HTML page: cover, contents, body (images embedded). */
export function manualPrintHtml(kind: ManualKind, generatedOn: string): string {
  const m = renderManual(kind, imageDataUri);
  const toc = m.sections
    .map((s) => `<li class="l${s.level}"><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`)
    .join('\n');
  // App links (#/…) mean nothing on paper: they are printed as text.
  const body = m.html.replace(/<a href="#\/[^"]*">([\s\S]*?)<\/a>/g, '$1');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(m.title)}</title><style>${CSS}</style></head><body>
<section class="cover"><h1>《${escapeHtml(m.title)}》</h1><div class="sub">三色 · 机构编制实名制数据质量三色预警与督办</div><div class="sub" style="margin-top:8mm">${escapeHtml(generatedOn)}</div></section>
<nav class="toc"><h2>目录</h2><ol>
${toc}
</ol></nav>
<main>${body}</main>
</body></html>`;
}

/** The manual `kind` as an A4 PDF. */
export async function manualPdf(kind: unknown, today: string): Promise<ManualFile> {
  if (!isManualKind(kind)) throw new CommandError(404, '没有这本操作手册（可选：office 编办用户操作手册、unit 部门(单位)用户操作手册）');
  const m = renderManual(kind, () => '');
  const body = await htmlToPdf(manualPrintHtml(kind, today));
  return { kind, title: m.title, fileName: MANUAL_FILE_NAMES[kind], contentType: 'application/pdf', body };
}
