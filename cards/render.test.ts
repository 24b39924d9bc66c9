// Escaping per format (issue 11, item 6): `{{value}}` in a markdown template shows the value
// literally, in a phrase it stays one line; `{{{value}}}` is for text our code built.

import fs from 'node:fs';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { compileFor, escapeMarkdown, escapeText, phrase, render, trusted } from './render.ts';

const md = new MarkdownIt({ html: true, linkify: false });
const HOSTILE = ['[点此整改](http://evil.example/phish)', '![x](http://evil.example/a.png)', '**粗体** _斜体_ `代码`', '<font color="red">红</font>', '# 标题', '1. 列表', '> 引用', '| 表 | 格 |', '~~删~~', '\\[转义\\]'];

describe('markdown values', () => {
  it('every hostile value renders as its own text, with no markup', () => {
    for (const v of HOSTILE) {
      const html = md.render(`- 姓名：${escapeMarkdown(v)}`);
      expect(html, v).not.toMatch(/<(a|img|strong|em|code|font|h\d|blockquote|table|s|del|ol)\b/);
      // Shown as the same characters, those markdown could read as syntax in their full-width form.
      const shown = html.replace(/<[^>]+>/g, '').replaceAll('&quot;', '"').trim();
      expect(shown, v).toBe(`姓名：${v.replace(/[!-~]/g, (c) => ('`*_[]()#!|<>~{}\\'.includes(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c))}`);
    }
  });

  it('keeps a value on its line: line breaks and control characters become spaces', () => {
    expect(escapeText('张三\n### 紧急通知\r\n\u2028x\u0007y\u202e')).toBe('张三 ### 紧急通知   x y ');
    expect(escapeMarkdown('张三\n# 通知')).toBe('张三 ＃ 通知');
    // Dates and numbers stay as they are (no backslash for a client that does not read escapes).
    expect(escapeMarkdown('2026-11-23 1.5 +1')).toBe('2026-11-23 1.5 +1');
  });

  it('escapes {{value}} for the template format and leaves {{{value}}} to our own text', () => {
    const t = compileFor('markdown', '{{name}} {{{link}}} {{#each list}}{{this}}{{/each}} {{n}}');
    expect(t({ name: '[a](http://x)', link: trusted('[去整改](http://127.0.0.1:3000/m/)'), list: ['*'], n: 3 })).toBe('［a］（http://x） [去整改](http://127.0.0.1:3000/m/) ＊ 3');
    expect(compileFor('text', '{{name}}')({ name: 'a\nb' })).toBe('a b');
    expect(phrase('alertTitle', { unitName: '甲\n乙' })).toBe('甲 乙 数据质量预警');
    expect(render('no-access', { name: '[管理员](http://evil.example)' })).toContain('［管理员］（http://evil.example）');
  });

  it('no template inserts a value unescaped', () => {
    const dir = new URL('./templates/', import.meta.url);
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.hbs')) continue;
      expect(fs.readFileSync(new URL(f, dir), 'utf8'), f).not.toContain('{{{');
    }
    const phrases = fs.readFileSync(new URL('phrases.json', dir), 'utf8');
    expect(phrases).not.toContain('{{{');
  });
});

describe('the robot\'s 待整改 line', () => {
  it('names the unit once for a unit\'s own finding (no ｜甲局｜甲局｜), and after the person otherwise', () => {
    const item = { light: 'red', lightText: '红灯', title: '超编（行政编制）', detail: null, idMasked: null, age: '已超期2个工作日' };
    const own = render('todo', { scopeName: '甲局', date: '2026-12-01', items: [{ ...item, subject: '甲局', unitName: null }], more: 0 });
    expect(own).toContain('｜甲局｜已超期2个工作日');
    const person = render('todo', { scopeName: '甲局', date: '2026-12-01', items: [{ ...item, subject: '张三', unitName: '甲局' }], more: 0 });
    expect(person).toContain('｜张三｜甲局｜已超期2个工作日');
  });
});
