// /sandbox: the local stand-in for DingTalk. Chat groups and 1:1 chats with what the bot sent,
// cards updated in place, a box to type robot commands as a chosen demo user, and card buttons
// that go through the same callback handling as real card callbacks.

import fs from 'node:fs';
import Handlebars from 'handlebars';
import MarkdownIt from 'markdown-it';
import type { FastifyPluginAsync } from 'fastify';
import type { Knex } from 'knex';
import { cardSeenBy, type SandboxEntry } from '../../core/outbound.ts';
import { sandboxConversations, sandboxMessages } from '../../db/sandbox-messages.ts';
import { unitIdsOfGroup, unitsWithGroups } from '../../db/units.ts';
import { userById, userNames } from '../../db/users.ts';
import { loadOffice } from '../../db/settings.ts';
import { sandboxUsers } from '../auth/sandbox-users.ts';
import { MSG, type SessionUser } from '../auth/session.ts';

const md = new MarkdownIt({ html: false, linkify: false, breaks: true });
const template = Handlebars.compile(fs.readFileSync(new URL('../views/sandbox.hbs', import.meta.url), 'utf8'));

type Row = Record<string, any>;

/** The sandbox platform's two ways in (bot/sandbox.ts), handed over by the composition root (main/app.ts). */
export interface SandboxControls {
  say(conversation: string, user: { id: string; name: string }, text: string): Promise<void>;
  press(cardId: string, user: { id: string }, actionId: string, params: Record<string, string>): Promise<{ notice?: string } | void>;
}

export const sandboxRoutes: FastifyPluginAsync<{ db: Knex; platform: SandboxControls; kick: () => void }> = async (app, { db, platform, kick }) => {
  async function conversations(): Promise<Array<{ id: string; name: string; count: number }>> {
    const rows = await sandboxConversations(db);
    const groups = new Map<string, string>((await unitsWithGroups(db, null)).map((u) => [`group:${u.group_id}`, `${u.name}工作群`]));
    const office = await loadOffice(db);
    if (office.groupId) groups.set(`group:${office.groupId}`, `${office.name ?? '编办'}工作群`);
    const users = new Map<string, string>([...(await userNames(db, null))].map(([id, name]) => [`user:${id}`, `与 ${name} 的单聊`]));
    // Work groups first (where the alert cards are), then the 1:1 chats; newest first within each.
    const list = rows.map((r) => ({ id: r.conversation as string, name: groups.get(r.conversation) ?? users.get(r.conversation) ?? r.conversation, count: Number(r.n) }));
    return [...list.filter((c) => c.id.startsWith('group:')), ...list.filter((c) => !c.id.startsWith('group:'))];
  }

  app.get('/sandbox', async (req, reply) => {
    const q = req.query as { c?: string; as?: string; notice?: string };
    const list = await conversations();
    const current = q.c ?? list[0]?.id ?? null;
    // The group's unit: its people (named on its cards) head the speaker list, then the office.
    const unitId: number | undefined = current?.startsWith('group:') ? (await unitIdsOfGroup(db, current.slice(6)))[0] : undefined;
    const users = await sandboxUsers(db, unitId ?? null);
    let as = q.as;
    if (!as && unitId !== undefined) as = users.find((u) => u.role === '单位专管员' && u.unitId === unitId)?.id;
    if (!as && current?.startsWith('user:')) as = current.slice(5);
    as = as ?? users[0]?.id;
    const messages = current ? await sandboxMessages(db, [current]) : [];
    reply.type('text/html; charset=utf-8');
    return template({
      conversations: list.map((c) => ({ ...c, active: c.id === current, href: `/sandbox?c=${encodeURIComponent(c.id)}` })),
      current: list.find((c) => c.id === current) ?? null,
      currentId: current,
      notice: typeof q.notice === 'string' ? q.notice.slice(0, 200) : null,
      as,
      users: users.map((u) => ({ ...u, selected: u.id === as })),
      messages: messages.map((m: Row) => view(JSON.parse(m.payload) as SandboxEntry, m, as)),
    });
  });

  app.post('/sandbox/say', async (req, reply) => {
    const b = req.body as { conversation?: string; as?: string; text?: string };
    const user = b.as ? await userById(db, b.as) : null;
    if (b.conversation && b.text?.trim()) await platform.say(b.conversation, { id: b.as ?? 'unknown', name: user?.name ?? b.as ?? '访客' }, b.text.trim());
    return reply.redirect(`/sandbox?c=${encodeURIComponent(b.conversation ?? '')}&as=${encodeURIComponent(b.as ?? '')}`);
  });

  app.post('/sandbox/press', async (req, reply) => {
    const b = req.body as { cardId?: string; actionId?: string; unit?: string; comment?: string; as?: string; conversation?: string };
    let notice = '';
    if (b.cardId && b.actionId) {
      // The button's params: the unit of an alert card's 重新检查, the approval card's comment box.
      const params: Record<string, string> = {};
      if (typeof b.unit === 'string' && b.unit) params.unit = b.unit;
      if (typeof b.comment === 'string') params.comment = b.comment;
      const r = await platform.press(b.cardId, { id: b.as ?? '' }, b.actionId, params);
      notice = r && typeof r === 'object' && 'notice' in r && typeof r.notice === 'string' ? r.notice : '';
      kick();
      await new Promise((r) => setTimeout(r, 300));
    }
    // The action's notice is the clicker's alone, as on DingTalk: shown on the page they return to.
    return reply.redirect(`/sandbox?c=${encodeURIComponent(b.conversation ?? '')}&as=${encodeURIComponent(b.as ?? '')}${notice ? `&notice=${encodeURIComponent(notice)}` : ''}`);
  });

  /** The conversations a user may read: every one for the office roles (scope null), else the work
   * groups of the units in their scope and their own 1:1 chat. */
  async function readable(user: SessionUser): Promise<string[] | null> {
    if (user.scope === null) return null;
    const groups = await unitsWithGroups(db, user.scope);
    return [...groups.map((g) => `group:${g.group_id}`), `user:${user.id}`];
  }

  // Logged in (the /api/ guard), and within the user's scope.
  app.get('/api/sandbox/messages', async (req, reply) => {
    const q = req.query as { c?: string };
    const allowed = await readable(req.user!);
    if (q.c !== undefined && allowed && !allowed.includes(q.c)) return reply.code(403).send({ error: MSG.outOfScope });
    const rows = await sandboxMessages(db, q.c !== undefined ? [q.c] : allowed);
    return rows.map((r: Row) => ({ ...r, payload: JSON.parse(r.payload) }));
  });
};

function view(e: SandboxEntry, row: Row, as: string | undefined) {
  if (e.kind === 'user') return { user: true, who: e.userName, html: md.render(e.text), at: row.at };
  if (e.kind === 'message') {
    const m = e.message;
    const text = m.kind === 'text' ? m.content : m.text;
    // A markdown message's title shows only in the notification, as in DingTalk; an action card shows it.
    return { bot: true, title: m.kind === 'actionCard' ? m.title : null, html: md.render(text), buttons: m.kind === 'actionCard' ? m.buttons : [], at: row.at };
  }
  if (e.card.template === 'approval') {
    // Public data for everyone, the viewer's private data over it (their buttons, their notice).
    const v = cardSeenBy(e.card, as);
    return {
      approval: true, cardId: e.card.cardId, light: v.status === 'approved' ? 'green' : v.status === 'rejected' ? 'red' : '', title: v.title, unitName: v.unitName,
      statusText: v.statusText, html: md.render(v.markdown ?? ''), resultText: v.status !== 'pending' ? v.resultText : '', canDecide: v.status === 'pending' && v.canDecide === 'true',
      notice: v.notice ?? '', url: v.url, at: row.at,
    };
  }
  const d = e.card.data;
  return {
    card: true, cardId: e.card.cardId, light: d.light, title: d.title, date: d.date, lightText: d.lightText, red: d.red, yellow: d.yellow, progress: d.progress,
    html: md.render(d.markdown ?? ''), mentions: d.mentions, buttonText: d.buttonText, url: d.url, recheckText: d.recheckText, unitCode: d.unitCode, unitId: d.unitId ?? d.unitCode, at: row.at,
  };
}
