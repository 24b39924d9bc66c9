// The shared Word/PDF renderer of formal documents: both formats carry every piece of text of the
// document (title, number, addressee, headings, tables, form fields, signature, footnote), and
// markup-like data is printed, not interpreted.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { documentDate, documentText, type OfficialDocument } from '../../core/official-document.ts';
import { officialDocumentDocx, officialDocumentFile, officialDocumentHtml } from '../../commands/official-documents.ts';

const doc: OfficialDocument = {
  title: '人员入编登记表',
  number: '柯编登〔2026〕7号',
  addressee: '柯桥区教育局',
  blocks: [
    { kind: 'heading', text: '一、基本情况' },
    { kind: 'paragraph', text: '根据审批结果，现将入编人员情况登记如下。' },
    { kind: 'form', title: '人员信息', fields: [
      { label: '姓名', value: '张<b>三' }, { label: '性别', value: '男' },
      { label: '身份证号', value: '330602********1234' }, { label: '编制类型', value: '行政编制' },
      { label: '备注', value: '无', wide: true },
    ] },
    { kind: 'table', title: '审批记录', head: ['环节', '审批人', '日期'], rows: [['初审', '王五', '2026-12-01'], ['终审', '赵六', '2026-12-02']] },
  ],
  signature: { issuer: '绍兴市柯桥区委机构编制委员会办公室', date: '2026-12-06' },
  footnote: '由三色系统生成',
};

describe('official documents', () => {
  it('writes dates the Chinese way', () => {
    expect(documentDate('2026-01-09')).toBe('2026年1月9日');
  });

  it('the Word file carries every piece of the document', async () => {
    const xml = await (await JSZip.loadAsync(await officialDocumentDocx(doc))).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, '');
    for (const piece of documentText(doc)) {
      expect(text).toContain(piece.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(text).toContain('柯桥区教育局：');
  });

  it('the HTML escapes data and the PDF reads back with every piece', async () => {
    const html = officialDocumentHtml(doc);
    expect(html).toContain('张&lt;b&gt;三');
    expect(html).not.toContain('张<b>三');
    const pdf = await officialDocumentFile(doc, 'pdf');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sanse-doc-'));
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    for (const piece of documentText(doc)) expect(text).toContain(piece.replace(/\s+/g, ''));
  }, 60_000);
});
