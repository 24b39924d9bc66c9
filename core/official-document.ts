// The shape of a formal document sanse issues (公文式文书): a registration form (人员入(出)编登记表),
// a written notice (函告), an annual report's draft (机构编制报告). Pure data; the Word and PDF
// files are made from it by commands/official-documents.ts, so every document reads the same in
// both formats and a test can compare a document's facts with what it was made from.

import type { IsoDate } from './model.ts';

/** A block of the document's body, in reading order. */
export type DocumentBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string; /** no first-line indent (a list line, a salutation) */ plain?: boolean }
  /** A grid table: a header row, then data rows (numbers right-aligned). */
  | { kind: 'table'; title?: string; head: string[]; rows: string[][] }
  /** A form: label/value pairs laid out two pairs per row, as on a printed 登记表; a pair with
   *  `wide` takes the whole row. */
  | { kind: 'form'; title?: string; fields: Array<{ label: string; value: string; wide?: boolean }> };

export interface OfficialDocument {
  /** The title, centred at the top (e.g. 人员入编登记表). */
  title: string;
  /** The document number (文号 / 编号), under the title, e.g. 柯编函〔2026〕3号. */
  number?: string;
  /** 主送: to whom, above the body, ending with a colon when printed. */
  addressee?: string;
  blocks: DocumentBlock[];
  /** 落款: the issuing office and the date, right-aligned after the body. */
  signature?: { issuer: string; date: IsoDate };
  /** A small line at the foot (e.g. 由三色系统生成). */
  footnote?: string;
}

/** 2026-12-06 → 2026年12月6日, as dates are written on Chinese official documents. */
export function documentDate(date: IsoDate): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Every piece of text a document carries, in reading order (for tests and search). */
export function documentText(doc: OfficialDocument): string[] {
  const out = [doc.title];
  if (doc.number) out.push(doc.number);
  if (doc.addressee) out.push(`${doc.addressee}：`);
  for (const b of doc.blocks) {
    if (b.kind === 'heading' || b.kind === 'paragraph') out.push(b.text);
    else if (b.kind === 'table') out.push(...(b.title ? [b.title] : []), ...b.head, ...b.rows.flat());
    else out.push(...(b.title ? [b.title] : []), ...b.fields.flatMap((f) => [f.label, f.value]));
  }
  if (doc.signature) out.push(doc.signature.issuer, documentDate(doc.signature.date));
  if (doc.footnote) out.push(doc.footnote);
  return out;
}

/** The issuing office as its settings say (db/settings.ts Office). */
export interface IssuingOffice {
  name?: string | null;
  shortName?: string | null;
  regionName?: string | null;
}

/** The 落款: the office's name, else the region's 机构编制委员会办公室. */
export function issuerName(o: IssuingOffice): string {
  const name = o.name?.trim();
  const region = o.regionName?.trim();
  return name || (region ? `${region}机构编制委员会办公室` : '机构编制委员会办公室');
}

/**
 * The office's short name in document numbers, one for every kind of document: the setting
 * (office.shortName, e.g. 柯编), else the region's first character + 编 (柯桥区 → 柯编), else 编.
 * A registration form is `{short}登〔2026〕12号`, a written notice `{short}函〔2027〕3号`.
 */
export function numberShortName(o: IssuingOffice): string {
  const short = o.shortName?.trim();
  if (short) return short;
  const first = o.regionName?.trim().match(/^[\u4e00-\u9fa5]/)?.[0];
  return first ? `${first}编` : '编';
}
