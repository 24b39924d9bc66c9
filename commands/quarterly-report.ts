// The quarterly analysis report (机构编制人员情况分析报告, Ningbo art. 13) as Word (.docx) or PDF:
// office roles only. Content from core/quarterly-report.ts over db/quarterly-report.ts; the
// narrative is the office's saved text of the quarter's analysis draft, else a fresh draft (the
// configured model, else the templates: commands/draft-analysis.ts). Charts are ECharts SVG
// (core/report-charts.ts): inline in the HTML printed to PDF by chromium, and in Word as SVG
// images with a PNG fallback (a chromium screenshot of the same SVG: Word before 2016 and most
// other readers show only the PNG, so it must be the same picture).

import type { Knex } from 'knex';
import { AlignmentType, Document, HeadingLevel, ImageRun, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { buildQuarterlyReport, validQuarter, withNarrative, type QuarterlyReport, type ReportTable } from '../core/quarterly-report.ts';
import { CHART_HEIGHT, CHART_WIDTH, chartSvg } from '../core/report-charts.ts';
import { OFFICE_ROLES } from '../core/roles.ts';
import { quarterlyInputs } from '../db/quarterly-report.ts';
import { findActor } from '../db/scope.ts';
import { htmlToPdf, svgsToPng } from './chromium.ts';
import { quarterlyNarrative, type LlmConfig } from './draft-analysis.ts';
import { CommandError } from './errors.ts';

export type ReportFormat = 'docx' | 'pdf';

export interface QuarterlyReportInput {
  db: Knex;
  /** a user id, or 'system' (the CLI run by the office's operator) */
  actor: string;
  quarter: unknown;
  format: ReportFormat;
  llm: LlmConfig | null;
}

export interface QuarterlyReportFile {
  fileName: string;
  contentType: string;
  body: Buffer;
  report: QuarterlyReport;
  /** where the narrative came from: the office's saved text, a model's draft, the templates */
  narrative: 'saved' | 'llm' | 'template';
}

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

/** The report's content with its narrative (office roles only). */
export async function quarterlyReportContent(db: Knex, actor: string, quarterText: unknown, llm: LlmConfig | null): Promise<{ report: QuarterlyReport; narrative: QuarterlyReportFile['narrative'] }> {
  if (actor !== 'system') {
    const a = await findActor(db, actor);
    if (!a || !OFFICE_ROLES.has(a.role)) throw new CommandError(403, '季度分析报告仅限编办人员查看');
  }
  let q;
  try {
    q = validQuarter(quarterText, 'quarter');
  } catch (e) {
    throw new CommandError(400, (e as Error).message, { quarter: (e as Error).message });
  }
  const report = buildQuarterlyReport(await quarterlyInputs(db, q));
  const n = await quarterlyNarrative(db, report, llm);
  return { report: withNarrative(report, n.text), narrative: n.source };
}

export async function quarterlyReportFile(input: QuarterlyReportInput): Promise<QuarterlyReportFile> {
  const { report, narrative } = await quarterlyReportContent(input.db, input.actor, input.quarter, input.llm);
  const body = input.format === 'pdf' ? await htmlToPdf(reportHtml(report)) : await reportDocx(report);
  return { fileName: `${report.title}.${input.format}`, contentType: CONTENT_TYPES[input.format], body, report, narrative };
}

const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function tableHtml(t: ReportTable): string {
  return `<p class="caption">${esc(t.title)}</p><table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** The report as one HTML page (what chromium prints to PDF). */
export function reportHtml(r: QuarterlyReport): string {
  const body = r.sections.map((s) => `<h2>${esc(s.heading)}</h2>${s.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}${s.tables.map(tableHtml).join('')}${s.charts
    .map((c) => `<div class="chart">${chartSvg(c)}</div>`).join('')}`).join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 11pt; line-height: 1.7; color: #111; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 4pt; }
.sub { text-align: center; color: #555; margin-bottom: 16pt; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 14pt; margin: 16pt 0 6pt; page-break-after: avoid; }
p { text-indent: 2em; margin: 4pt 0; }
p.caption { text-indent: 0; text-align: center; font-weight: bold; margin-top: 10pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; page-break-inside: avoid; }
th, td { border: 1px solid #444; padding: 2pt 5pt; }
th { background: #eef2f7; }
td.n { text-align: right; }
.chart { text-align: center; page-break-inside: avoid; margin: 8pt 0; }
.chart svg { max-width: 100%; height: auto; }
</style></head><body><h1>${esc(r.title)}</h1><div class="sub">数据截至 ${esc(r.asOf ?? '—')}　　由三色系统根据实名制数据生成</div>${body}</body></html>`;
}

function docxTable(t: ReportTable): Table {
  const cell = (c: unknown, head: boolean, right: boolean) => new TableCell({
    children: [new Paragraph({ alignment: right ? AlignmentType.RIGHT : AlignmentType.LEFT, children: [new TextRun({ text: String(c), bold: head })] })],
  });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [new TableRow({ tableHeader: true, children: t.head.map((h) => cell(h, true, false)) }), ...t.rows.map((r) => new TableRow({ children: r.map((c, i) => cell(c, false, i > 0)) }))],
  });
}

/** The report as a Word document. */
export async function reportDocx(r: QuarterlyReport): Promise<Buffer> {
  const charts = r.sections.flatMap((s) => s.charts);
  const svgs = charts.map((c) => chartSvg(c));
  const pngs = await svgsToPng(svgs, CHART_WIDTH, CHART_HEIGHT);
  const image = new Map(charts.map((c, i) => [c.id, { svg: svgs[i], png: pngs[i] }]));
  const children: Array<Paragraph | Table> = [
    new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, children: [new TextRun(r.title)] }),
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: `数据截至 ${r.asOf ?? '—'}　　由三色系统根据实名制数据生成`, color: '555555' })] }),
  ];
  for (const s of r.sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(s.heading)] }));
    for (const p of s.paragraphs) children.push(new Paragraph({ indent: { firstLine: 480 }, children: [new TextRun(p)] }));
    for (const t of s.tables) {
      children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: t.title, bold: true })] }));
      children.push(docxTable(t));
    }
    for (const c of s.charts) {
      const img = image.get(c.id)!;
      children.push(new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new ImageRun({ type: 'svg', data: Buffer.from(img.svg), fallback: { type: 'png', data: img.png }, transformation: { width: CHART_WIDTH * 0.9, height: CHART_HEIGHT * 0.9 }, altText: { name: c.id, title: c.title, description: c.title } })],
      }));
    }
  }
  const doc = new Document({
    creator: 'sanse', title: r.title,
    styles: { default: { document: { run: { font: { eastAsia: 'Noto Serif CJK SC', ascii: 'Times New Roman' } as never, size: 22 } } } },
    sections: [{ children }],
  });
  return Packer.toBuffer(doc);
}
