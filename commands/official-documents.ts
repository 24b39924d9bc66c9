// An OfficialDocument (core/official-document.ts) as Word (.docx) or PDF: the registration forms,
// the written notices and the annual reports' drafts all go through here, so they share one
// layout (title, number, addressee, body, signature) in both formats. The PDF is the HTML page
// printed by Debian's chromium (commands/chromium.ts) with the CJK fonts.

import { AlignmentType, BorderStyle, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { documentDate, type DocumentBlock, type OfficialDocument } from '../core/official-document.ts';
import { htmlToPdf } from './chromium.ts';

export type DocumentFormat = 'docx' | 'pdf';

export const DOCUMENT_CONTENT_TYPES: Record<DocumentFormat, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

/** The document in the format asked for. */
export function officialDocumentFile(doc: OfficialDocument, format: DocumentFormat): Promise<Buffer> {
  return format === 'pdf' ? htmlToPdf(officialDocumentHtml(doc)) : officialDocumentDocx(doc);
}

const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const numeric = (s: string) => /^[-+]?\d[\d,.]*%?$/.test(s.trim());

/** Two label/value pairs per row; a wide pair (or a lone last pair) spans the row. */
function formRows(fields: Extract<DocumentBlock, { kind: 'form' }>['fields']): Array<Array<{ label: string; value: string; span: boolean }>> {
  const rows: Array<Array<{ label: string; value: string; span: boolean }>> = [];
  let pending: { label: string; value: string } | null = null;
  for (const f of fields) {
    if (f.wide) {
      if (pending) rows.push([{ ...pending, span: true }]), (pending = null);
      rows.push([{ label: f.label, value: f.value, span: true }]);
    } else if (pending) {
      rows.push([{ ...pending, span: false }, { label: f.label, value: f.value, span: false }]);
      pending = null;
    } else pending = f;
  }
  if (pending) rows.push([{ ...pending, span: true }]);
  return rows;
}

function blockHtml(b: DocumentBlock): string {
  const caption = (t?: string) => (t ? `<p class="caption">${esc(t)}</p>` : '');
  switch (b.kind) {
    case 'heading':
      return `<h2>${esc(b.text)}</h2>`;
    case 'paragraph':
      return `<p${b.plain ? ' class="plain"' : ''}>${esc(b.text)}</p>`;
    case 'table':
      return `${caption(b.title)}<table><thead><tr>${b.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td${numeric(c) ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
    case 'form':
      return `${caption(b.title)}<table class="form"><colgroup><col class="l"><col><col class="l"><col></colgroup><tbody>${formRows(b.fields)
        .map((r) => `<tr>${r.map((c) => `<th>${esc(c.label)}</th><td${c.span ? ' colspan="3"' : ''}>${esc(c.value)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  }
}

/** The document as one HTML page (what chromium prints to PDF). */
export function officialDocumentHtml(doc: OfficialDocument): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(doc.title)}</title><style>
@page { size: A4; margin: 25mm 22mm 22mm; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 12pt; line-height: 1.8; color: #111; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 6pt; letter-spacing: 1pt; }
.number { text-align: center; margin-bottom: 14pt; }
.to { margin: 6pt 0; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 13pt; margin: 12pt 0 4pt; page-break-after: avoid; }
p { text-indent: 2em; margin: 3pt 0; }
p.plain { text-indent: 0; }
p.caption { text-indent: 0; text-align: center; font-weight: bold; margin-top: 8pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; margin: 4pt 0 8pt; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #333; padding: 4pt 6pt; vertical-align: top; }
thead th { background: #eef2f7; }
td.n { text-align: right; }
table.form th { background: #f4f6f8; font-weight: bold; text-align: center; white-space: nowrap; }
table.form col.l { width: 16%; }
.sign { text-align: right; margin-top: 28pt; line-height: 2; }
.foot { margin-top: 24pt; font-size: 9pt; color: #666; text-align: center; }
</style></head><body><h1>${esc(doc.title)}</h1>${doc.number ? `<div class="number">${esc(doc.number)}</div>` : ''}${
    doc.addressee ? `<p class="to plain">${esc(doc.addressee)}：</p>` : ''}${doc.blocks.map(blockHtml).join('')}${
    doc.signature ? `<div class="sign">${esc(doc.signature.issuer)}<br>${esc(documentDate(doc.signature.date))}</div>` : ''}${
    doc.footnote ? `<div class="foot">${esc(doc.footnote)}</div>` : ''}</body></html>`;
}

const thin = { style: BorderStyle.SINGLE, size: 4, color: '333333' };
const borders = { top: thin, bottom: thin, left: thin, right: thin };

function cell(text: string, opts: { bold?: boolean; right?: boolean; center?: boolean; span?: number; shade?: boolean; widthPct?: number } = {}): TableCell {
  return new TableCell({
    borders,
    columnSpan: opts.span,
    width: opts.widthPct ? { size: opts.widthPct, type: WidthType.PERCENTAGE } : undefined,
    shading: opts.shade ? { fill: 'EEF2F7', color: 'auto', type: 'clear' as never } : undefined,
    children: [new Paragraph({ alignment: opts.right ? AlignmentType.RIGHT : opts.center ? AlignmentType.CENTER : AlignmentType.LEFT, children: [new TextRun({ text: text, bold: opts.bold })] })],
  });
}

function blockDocx(b: DocumentBlock): Array<Paragraph | Table> {
  const caption = (t?: string) => (t ? [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: t, bold: true })] })] : []);
  switch (b.kind) {
    case 'heading':
      return [new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(b.text)] })];
    case 'paragraph':
      return [new Paragraph({ indent: b.plain ? undefined : { firstLine: 480 }, children: [new TextRun(b.text)] })];
    case 'table':
      return [...caption(b.title), new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: [
          new TableRow({ tableHeader: true, children: b.head.map((h) => cell(h, { bold: true, center: true, shade: true })) }),
          ...b.rows.map((r) => new TableRow({ children: r.map((c) => cell(c, { right: numeric(c) })) })),
        ],
      })];
    case 'form':
      return [...caption(b.title), new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: formRows(b.fields).map((r) => new TableRow({
          children: r.flatMap((c) => [cell(c.label, { bold: true, center: true, shade: true, widthPct: 16 }), cell(c.value, { span: c.span ? 3 : undefined, widthPct: c.span ? 84 : 34 })]),
        })),
      })];
  }
}

/** The document as a Word file. */
export function officialDocumentDocx(doc: OfficialDocument): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [
    new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, children: [new TextRun(doc.title)] }),
  ];
  if (doc.number) children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun(doc.number)] }));
  if (doc.addressee) children.push(new Paragraph({ spacing: { before: 200 }, children: [new TextRun(`${doc.addressee}：`)] }));
  for (const b of doc.blocks) children.push(...blockDocx(b));
  if (doc.signature) {
    children.push(new Paragraph({ alignment: AlignmentType.RIGHT, spacing: { before: 480 }, children: [new TextRun(doc.signature.issuer)] }));
    children.push(new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun(documentDate(doc.signature.date))] }));
  }
  if (doc.footnote) children.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 360 }, children: [new TextRun({ text: doc.footnote, size: 18, color: '666666' })] }));
  return Packer.toBuffer(new Document({
    creator: 'sanse', title: doc.title,
    styles: { default: { document: { run: { font: { eastAsia: 'Noto Serif CJK SC', ascii: 'Times New Roman' } as never, size: 24 } } } },
    sections: [{ children }],
  }));
}
