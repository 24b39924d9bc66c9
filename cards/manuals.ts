// The two user manuals (issue 18): 《编办用户操作手册》 (cards/manuals/office.md) and
// 《部门(单位)用户操作手册》 (cards/manuals/unit.md), with the screenshots the browser test
// test/browser/manual.test.ts writes into cards/manuals/images/. They are text a user reads, so
// they live in cards/ beside the other sentences; this module reads and renders them (markdown-it,
// raw HTML off) for the help pages (GET /api/manuals/:which) and the PDF (commands/manuals.ts).
//
// Every `##`/`###` heading ends in an anchor ` {#id}`: the help page's table of contents and the
// screens' context help link to it (`#/help/office?s=id`), and the PDF's contents jump to it.
// Images are written `![说明](images/name.png)`; the caller says what an image's address becomes
// (the API's image route on the page, a data: URI in the PDF).

import fs from 'node:fs';
import MarkdownIt from 'markdown-it';

export type ManualKind = 'office' | 'unit';

export const MANUAL_KINDS: readonly ManualKind[] = ['office', 'unit'];

export const MANUAL_TITLES: Record<ManualKind, string> = {
  office: '编办用户操作手册',
  unit: '部门(单位)用户操作手册',
};

/** The manual's file name when downloaded. */
export const MANUAL_FILE_NAMES: Record<ManualKind, string> = {
  office: '三色编办用户操作手册.pdf',
  unit: '三色部门(单位)用户操作手册.pdf',
};

export const MANUAL_DIR = new URL('./manuals/', import.meta.url);
export const MANUAL_IMAGE_DIR = new URL('./manuals/images/', import.meta.url);

/** An image file name the manuals may use: lower-case words, digits and dashes, .png. */
export const IMAGE_NAME = /^[a-z0-9][a-z0-9-]*\.png$/;

export interface ManualSection {
  id: string;
  title: string;
  level: 2 | 3;
}

export interface RenderedManual {
  kind: ManualKind;
  title: string;
  sections: ManualSection[];
  html: string;
  /** The image files the manual shows, in order of appearance. */
  images: string[];
}

export function isManualKind(v: unknown): v is ManualKind {
  return v === 'office' || v === 'unit';
}

export function manualSource(kind: ManualKind): string {
  return fs.readFileSync(new URL(`${kind}.md`, MANUAL_DIR), 'utf8');
}

const HEADING = /^(#{2,3})\s+(.+?)\s+\{#([a-z0-9-]+)\}\s*$/;
const IMAGE = /!\[[^\]]*\]\(images\/([^)\s]+)\)/g;

/** The sections (headings with their anchors) of a manual's markdown, in order. A heading without an anchor, or an anchor used twice, is an error. */
export function manualSections(source: string): ManualSection[] {
  const out: ManualSection[] = [];
  const seen = new Set<string>();
  let fence = false;
  for (const line of source.split('\n')) {
    if (/^```/.test(line)) fence = !fence;
    if (fence || !/^#{2,3}\s/.test(line)) continue;
    const m = HEADING.exec(line);
    if (!m) throw new Error(`操作手册的标题缺少锚点 {#…}：${line}`);
    if (seen.has(m[3])) throw new Error(`操作手册的锚点重复：${m[3]}`);
    seen.add(m[3]);
    out.push({ id: m[3], title: m[2], level: m[1].length as 2 | 3 });
  }
  return out;
}

/** The image files a manual's markdown references, in order, each once. */
export function manualImages(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(IMAGE)) {
    if (!IMAGE_NAME.test(m[1])) throw new Error(`操作手册的图片名不合规：${m[1]}`);
    names.add(m[1]);
  }
  return [...names];
}

/**
 * The manual as HTML: headings carry their anchors as ids (and lose the ` {#id}` text), images
 * get `imageSrc(name)` as their address, links that are not the app's (`#/…`) or the web's open
 * as written. The first `# ` line is the title and is not part of the HTML.
 */
export function renderManual(kind: ManualKind, imageSrc: (name: string) => string, source: string = manualSource(kind)): RenderedManual {
  const sections = manualSections(source);
  const images = manualImages(source);
  const body = source.replace(/^# .*\n/, '');
  const md = new MarkdownIt({ html: false, linkify: false, breaks: false, typographer: false });
  const ids = sections.map((s) => s.id);
  let next = 0;
  md.core.ruler.push('manual-anchors', (state) => {
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.type !== 'heading_open' || (t.tag !== 'h2' && t.tag !== 'h3')) continue;
      const inline = tokens[i + 1];
      t.attrSet('id', ids[next++] ?? `s${i}`);
      inline.content = inline.content.replace(/\s+\{#[a-z0-9-]+\}\s*$/, '');
      const last = inline.children?.[inline.children.length - 1];
      if (last && last.type === 'text') last.content = last.content.replace(/\s+\{#[a-z0-9-]+\}\s*$/, '');
    }
  });
  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const t = tokens[idx];
    const src = t.attrGet('src') ?? '';
    const m = /^images\/([^/]+)$/.exec(src);
    if (m) {
      t.attrSet('src', imageSrc(m[1]));
      // Its size, so the page does not move while screenshots load (a section opened by its anchor stays in view).
      const size = pngSize(m[1]);
      if (size) {
        t.attrSet('width', String(size.width));
        t.attrSet('height', String(size.height));
      }
    }
    t.attrSet('loading', 'lazy');
    return defaultImage(tokens, idx, options, env, self);
  };
  const html = md.render(body);
  return { kind, title: MANUAL_TITLES[kind], sections, html, images };
}

/** The pixel size of one of the manuals' PNG images (its IHDR), or null when it is missing. */
export function pngSize(name: string): { width: number; height: number } | null {
  const file = manualImagePath(name);
  if (!file || !fs.existsSync(file)) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(24);
    fs.readSync(fd, head, 0, 24, 0);
    if (head.readUInt32BE(12) !== 0x49484452) return null; // 'IHDR'
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  } finally {
    fs.closeSync(fd);
  }
}

/** The path of one of the manuals' images, or null for a name that is not one. */
export function manualImagePath(name: string): URL | null {
  return IMAGE_NAME.test(name) ? new URL(name, MANUAL_IMAGE_DIR) : null;
}
