// The audit trail (issue 17): the one writer of audit_log rows, the sealer that chains them, the
// verifier that walks the chain, and the purge after the retention period.
//
// A row gets its own MAC when it is written (`row_mac` = HMAC-SM3 of its canonical content under
// the audit key, `key_id` naming that key), inside whatever transaction writes it: nothing is
// locked there. The sealer then chains rows in id order in its own short transaction with the
// audit_chain row locked: `seq` = head_seq + 1, `chain_mac` = HMAC-SM3(prev chain_mac | seq |
// row_mac), and moves the head. The verifier recomputes both from the anchor (the last purged
// row) to the head: an edited row fails its row_mac, a deleted one leaves a gap in seq, two rows
// swapped or a forged row fail the chain.
//
// Rows written before rows were signed (a deployment upgraded past migration 024; migration 030
// records the last such id in audit_chain.legacy_until_id) are signed by the sealer when it first
// chains them, marked `signed_at_upgrade`; verify counts them apart. Only rows up to that id, and
// only while nothing but such rows has been chained, are signed so: an unsigned row written later
// stays 未签名.
//
// The audit key is derived from the PII key: HMAC-SM3(PII key, 'sanse:audit-chain'); after a
// rotation the previous ones are in the setting audit.previousKeys (encrypted under the new PII
// key). audit() receives only a knex (often a transaction), so the key is registered per database
// with registerAuditKey: a transaction shares its parent's client config, the map's key.

import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditAction } from '../core/audit-actions.ts';
import { maskId } from '../core/idnumber.ts';
import { nowMoment } from './clock.ts';
import type { PiiCipher } from './pii.ts';
import { getSetting } from './settings.ts';

export const AUDIT_KEY_LABEL = 'sanse:audit-chain';
export const PREVIOUS_AUDIT_KEYS = 'audit.previousKeys';

interface Registered {
  keyId: string;
  key: Buffer;
  pii: PiiCipher;
}

const registry = new WeakMap<object, Registered>();

const registryKey = (db: Knex): object => (db as unknown as { client: { config: object } }).client.config;

/** Makes audit() of this database (and of its transactions) sign rows with the audit key derived from `pii`. */
export function registerAuditKey(db: Knex, pii: PiiCipher): void {
  registry.set(registryKey(db), { keyId: pii.keyId, key: pii.deriveKey(AUDIT_KEY_LABEL), pii });
}

/** A second connection pool to the same database (an import's own SQLite connection) signs with the same key. */
export function shareAuditKey(from: Knex, to: Knex): void {
  const k = registered(from);
  if (k) registry.set(registryKey(to), k);
}

function registered(db: Knex): Registered | undefined {
  return registry.get(registryKey(db));
}

/**
 * The address of the request being served (server/app.ts enters it for every request), so a
 * command called from a route records where the act came from without passing it down.
 */
const requestAddress = new AsyncLocalStorage<{ ip: string | null }>();

/** Runs `fn` (and everything it awaits) as the handling of a request from `ip`. */
export function withAuditAddress<T>(ip: string | null, fn: () => T): T {
  return requestAddress.run({ ip }, fn);
}

export interface AuditExtra {
  /** The unit the act concerns, when there is one. */
  unitId?: number | null;
  /** Where the request came from (routes: req.ip; default the request being served, withAuditAddress); null for jobs and the command line. */
  ip?: string | null;
}

type RowContent = {
  at: string;
  actor: string;
  action: string;
  entity: string | null;
  entity_id: number | null;
  unit_id: number | null;
  ip: string | null;
  detail: string | null;
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The canonical serialisation a row_mac is made of: a JSON array of the row's content in a fixed order. */
export function canonicalRow(r: Record<string, unknown>): string {
  return JSON.stringify([str(r.at), str(r.actor), str(r.action), str(r.entity), num(r.entity_id), num(r.unit_id), str(r.ip), str(r.detail)]);
}

const mac = (key: Buffer, text: string): string => crypto.createHmac('sm3', key).update(text, 'utf8').digest('hex');

export function rowMac(key: Buffer, r: Record<string, unknown>): string {
  return mac(key, canonicalRow(r));
}

export function chainMac(key: Buffer, prev: string, seq: number, rowMacHex: string): string {
  return mac(key, `${prev}|${seq}|${rowMacHex}`);
}

/** An 18-character ID number standing alone in a text, with a birth date where one belongs. */
const ID_IN_DETAIL = /(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;

/**
 * A detail's JSON with any ID number in it masked: the writers put none there, but a file name
 * or a reason a user typed may hold one.
 */
export function maskIdsInDetail(json: string): string {
  return json.replace(ID_IN_DETAIL, (m) => maskId(m.toUpperCase()));
}

/**
 * Writes one audit row: who (a user id, `cli:<user>` or `system`) did what to which record.
 * `detail` is stored as JSON; never put an unmasked ID number in it (one in a file name or a
 * typed reason is masked here all the same).
 */
export async function audit(db: Knex, actor: string, action: AuditAction, entity: string | null, entityId: number | null, detail?: unknown, extra?: AuditExtra): Promise<void> {
  const row: RowContent = {
    at: nowMoment(),
    actor: actor.slice(0, 64),
    action,
    entity,
    entity_id: entityId,
    unit_id: extra?.unitId ?? null,
    ip: (extra?.ip !== undefined ? extra.ip : requestAddress.getStore()?.ip ?? null)?.slice(0, 45) ?? null,
    detail: detail === undefined ? null : maskIdsInDetail(JSON.stringify(detail)),
  };
  const k = registered(db);
  await db('audit_log').insert({ ...row, key_id: k?.keyId ?? null, row_mac: k ? rowMac(k.key, row) : null });
}

// ---- keys -------------------------------------------------------------------------------

/** The audit keys by key id: the current one and those kept after a PII key rotation. */
export async function auditKeyring(db: Knex, pii?: PiiCipher): Promise<Map<string, Buffer>> {
  const ring = new Map<string, Buffer>();
  const cipher = pii ?? registered(db)?.pii;
  if (!cipher) return ring;
  ring.set(cipher.keyId, cipher.deriveKey(AUDIT_KEY_LABEL));
  const stored = await getSetting<unknown>(db, PREVIOUS_AUDIT_KEYS);
  if (typeof stored === 'string' && stored) {
    const list = JSON.parse(cipher.decrypt(stored)) as { keyId: string; keyHex: string }[];
    for (const k of list) if (!ring.has(k.keyId)) ring.set(k.keyId, Buffer.from(k.keyHex, 'hex'));
  }
  return ring;
}

// ---- the sealer -------------------------------------------------------------------------

interface ChainHead {
  head_seq: number;
  head_mac: string;
  anchor_seq: number;
  anchor_mac: string;
  anchor_at: string | null;
  /** audit_log rows up to this id were written before signing began (migration 030). */
  legacy_until_id: number;
}

async function lockChain(trx: Knex.Transaction, noWait = false): Promise<ChainHead> {
  if (trx.client.config.client === 'mysql2') {
    const h = await trx('audit_chain').where({ id: 1 }).forUpdate().first();
    return asHead(h);
  }
  // SQLite: a write first takes the database's one write lock for the rest of the transaction.
  // better-sqlite3 waits for a lock synchronously, holding up the whole process: `noWait` (the
  // background sealer) gives up at once instead while another connection (an import's) holds it.
  const before = noWait ? Number(((await trx.raw('pragma busy_timeout')) as Array<Record<string, unknown>>)[0]?.timeout ?? 5000) : null;
  if (before !== null) await trx.raw('pragma busy_timeout = 0');
  try {
    await trx('audit_chain').where({ id: 1 }).update({ head_seq: trx.raw('head_seq') });
  } finally {
    if (before !== null) await trx.raw(`pragma busy_timeout = ${Math.trunc(before)}`);
  }
  return asHead(await trx('audit_chain').where({ id: 1 }).first());
}

/** SQLite's answer when another connection holds the write lock. */
export const isBusy = (e: unknown): boolean => /SQLITE_BUSY|database is locked/.test(`${(e as { code?: string }).code ?? ''} ${(e as Error).message ?? ''}`);

function asHead(h: Record<string, unknown> | undefined): ChainHead {
  if (!h) throw new Error('audit_chain 缺少链头记录（迁移 024 未运行？）');
  return { head_seq: Number(h.head_seq), head_mac: String(h.head_mac ?? ''), anchor_seq: Number(h.anchor_seq), anchor_mac: String(h.anchor_mac ?? ''), anchor_at: str(h.anchor_at), legacy_until_id: Number(h.legacy_until_id ?? 0) };
}

export interface SealResult {
  /** Rows chained now. */
  sealed: number;
  /** Of those, rows whose row_mac was missing or did not match their content (verify names them). */
  suspect: number;
  head: number;
  /** Of those, rows written before signing began, signed now (migration 030). */
  legacy: number;
}

/**
 * Chains the rows not yet chained (seq null), in id order, in batches, each batch in its own
 * short transaction with the chain head locked. Two sealers at once take turns; neither forks
 * the chain (a row already sealed by the other is refused by the `seq is null` guard).
 */
export async function sealAuditChain(db: Knex, opts: { batch?: number; pii?: PiiCipher; noWait?: boolean } = {}): Promise<SealResult> {
  const batch = opts.batch ?? 500;
  // Nothing to chain: no lock taken (a read; the background sealer asks every few seconds).
  if (!(await db('audit_log').whereNull('seq').first('id'))) {
    return { sealed: 0, suspect: 0, legacy: 0, head: Number((await db('audit_chain').where({ id: 1 }).first('head_seq'))?.head_seq ?? 0) };
  }
  const ring = await auditKeyring(db, opts.pii);
  const current = opts.pii?.keyId ?? registered(db)?.keyId;
  let sealed = 0;
  let suspect = 0;
  let legacy = 0;
  let head = 0;
  for (;;) {
    const n = await db.transaction(async (trx) => {
      const h = await lockChain(trx, opts.noWait);
      head = h.head_seq;
      const rows: Record<string, unknown>[] = await trx('audit_log').whereNull('seq').orderBy('id').limit(batch)
        .select('id', 'at', 'actor', 'action', 'entity', 'entity_id', 'unit_id', 'ip', 'detail', 'key_id', 'row_mac');
      if (!rows.length) return 0;
      let seq = h.head_seq;
      let prev = h.head_mac;
      // Rows from before signing began are signed only while nothing else has been chained yet:
      // they have the lowest ids and are chained first.
      let legacyOpen = h.legacy_until_id > 0 && (h.head_seq === 0 || (await trx('audit_log').where({ seq: h.head_seq, signed_at_upgrade: true }).first('id')) !== undefined);
      const currentKey = current ? ring.get(current) : undefined;
      for (const r of rows) {
        let keyId = str(r.key_id);
        let own = str(r.row_mac);
        const isLegacy = legacyOpen && !own && !keyId && currentKey !== undefined && Number(r.id) <= h.legacy_until_id;
        if (isLegacy) {
          keyId = current!;
          own = rowMac(currentKey, r);
          legacy++;
        } else {
          legacyOpen = false;
        }
        const key = keyId ? ring.get(keyId) : undefined;
        if (!own || !key || rowMac(key, r) !== own) suspect++;
        // An unsigned row is chained under the current key with an empty row_mac: verify names it.
        const chainKey = key ?? (current ? ring.get(current) : undefined);
        seq++;
        const cm = chainKey ? chainMac(chainKey, prev, seq, own ?? '') : null;
        const u = await trx('audit_log').where({ id: r.id }).whereNull('seq')
          .update(isLegacy ? { seq, chain_mac: cm, key_id: keyId, row_mac: own, signed_at_upgrade: true } : { seq, chain_mac: cm });
        if (u !== 1) throw new Error(`审计日志第 ${String(r.id)} 行已被另一进程封存`);
        prev = cm ?? '';
      }
      await trx('audit_chain').where({ id: 1 }).update({ head_seq: seq, head_mac: prev });
      head = seq;
      return rows.length;
    });
    sealed += n;
    if (n < batch) break;
  }
  return { sealed, suspect, legacy, head };
}

/** The sealer every few seconds in a long-running process (serve, worker); unref'd, errors logged once per message. */
export function startAuditSealer(db: Knex, opts: { everyMs?: number; log?: (msg: string) => void } = {}): { stop(): Promise<void> } {
  const log = opts.log ?? ((m: string) => console.error(m));
  let running: Promise<unknown> | null = null;
  let last = '';
  const timer = setInterval(() => {
    if (running) return;
    running = sealAuditChain(db, { noWait: true })
      .then(() => { last = ''; })
      .catch((e) => {
        if (isBusy(e)) return; // an import holds SQLite's write lock: next time
        const m = (e as Error).message;
        if (m !== last) log(`审计日志封存失败（稍后重试）：${m}`);
        last = m;
      })
      .finally(() => { running = null; });
  }, opts.everyMs ?? 3000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

// ---- the verifier -----------------------------------------------------------------------

export type AuditProblem = '内容被修改' | '升级时补签的标记不符' | '缺少前一行（被删除）' | '顺序被调换' | '未签名' | '链签名不符' | '密钥未知' | '末尾的行缺失（被删除）' | '起点与清理记录不符';

export interface BrokenRow {
  id: number | null;
  seq: number | null;
  at: string | null;
  action: string | null;
  problem: AuditProblem;
}

export interface VerifyResult {
  ok: boolean;
  /** Chained rows checked (from the anchor to the head). */
  rows: number;
  /** Rows written but not chained yet (checked by their own row_mac). */
  unsealed: number;
  /** Of the chained rows, those written before signing began and signed by the sealer at the upgrade. */
  legacy: number;
  anchor: { seq: number; at: string | null };
  head: number;
  /** The first broken row in chain order (then the unsealed rows in id order); null when whole. */
  broken: BrokenRow | null;
  /** How many problems were found in all. */
  problems: number;
}

const brokenOf = (r: Record<string, unknown>, problem: AuditProblem): BrokenRow => ({
  id: num(r.id), seq: num(r.seq), at: str(r.at), action: str(r.action), problem,
});

/**
 * Walks the chain from the anchor in seq order recomputing every row_mac and chain_mac, then
 * checks the rows not yet chained. Run sealAuditChain first to include the latest rows in the chain.
 */
export async function verifyAuditChain(db: Knex, opts: { batch?: number; pii?: PiiCipher } = {}): Promise<VerifyResult> {
  const batch = opts.batch ?? 2000;
  const ring = await auditKeyring(db, opts.pii);
  const h = asHead(await db('audit_chain').where({ id: 1 }).first());
  let broken: BrokenRow | null = null;
  let problems = 0;
  const report = (b: BrokenRow) => {
    problems++;
    if (!broken) broken = b;
  };

  // The anchor must be the one the last purge recorded (its audit row is itself chained).
  if (h.anchor_seq > 0) {
    const purge = await db('audit_log').where({ action: 'audit_purge' }).orderBy('id', 'desc').first();
    const d = purge?.detail ? (JSON.parse(String(purge.detail)) as { anchorSeq?: number; anchorMac?: string }) : null;
    if (!d || Number(d.anchorSeq) !== h.anchor_seq || d.anchorMac !== h.anchor_mac) {
      report({ id: null, seq: h.anchor_seq, at: h.anchor_at, action: null, problem: '起点与清理记录不符' });
    }
  }

  /** A row's own signature (row_mac under its key_id), chained or not; its key and mac for the chain. */
  const checkOwnMac = (r: Record<string, unknown>) => {
    const keyId = str(r.key_id);
    const key = keyId ? ring.get(keyId) : undefined;
    const own = str(r.row_mac);
    if (!own) report(brokenOf(r, '未签名'));
    else if (!key) report(brokenOf(r, '密钥未知'));
    else if (rowMac(key, r) !== own) report(brokenOf(r, '内容被修改'));
    return { key, own };
  };

  let expected = h.anchor_seq + 1;
  let prev = h.anchor_mac;
  let prevId = -1;
  let rows = 0;
  let after = h.anchor_seq;
  let legacy = 0;
  // Rows signed at the upgrade come first in the chain (rows before the anchor were checked when chained).
  let legacyOpen = true;
  const cols = ['id', 'at', 'actor', 'action', 'entity', 'entity_id', 'unit_id', 'ip', 'detail', 'key_id', 'row_mac', 'seq', 'chain_mac', 'signed_at_upgrade'];
  for (;;) {
    const page: Record<string, unknown>[] = await db('audit_log').whereNotNull('seq').where('seq', '>', after).orderBy('seq').limit(batch).select(cols);
    if (!page.length) break;
    for (let i = 0; i < page.length; i++) {
      const r = page[i];
      const seq = Number(r.seq);
      const id = Number(r.id);
      rows++;
      if (seq !== expected) report(brokenOf(r, '缺少前一行（被删除）'));
      if (Boolean(r.signed_at_upgrade)) {
        legacy++;
        if (!legacyOpen || id > h.legacy_until_id) report(brokenOf(r, '升级时补签的标记不符'));
      } else {
        legacyOpen = false;
      }
      const { key, own } = checkOwnMac(r);
      const chainKey = key ?? ring.values().next().value;
      if (chainKey && chainMac(chainKey, prev, seq, own ?? '') !== str(r.chain_mac)) {
        // Rows are chained in id order: a row whose id is out of that order was moved.
        const next = page[i + 1];
        const swapped = id < prevId || (next !== undefined && Number(next.id) < id);
        report(brokenOf(r, swapped ? '顺序被调换' : '链签名不符'));
      }
      prev = str(r.chain_mac) ?? '';
      prevId = id;
      expected = seq + 1;
      after = seq;
    }
  }
  if (expected - 1 !== h.head_seq) {
    report({ id: null, seq: expected, at: null, action: null, problem: '末尾的行缺失（被删除）' });
  } else if (prev !== h.head_mac) {
    report({ id: null, seq: h.head_seq, at: null, action: null, problem: '链签名不符' });
  }

  let unsealed = 0;
  let afterId = 0;
  for (;;) {
    const page: Record<string, unknown>[] = await db('audit_log').whereNull('seq').where('id', '>', afterId).orderBy('id').limit(batch).select(cols);
    if (!page.length) break;
    for (const r of page) {
      unsealed++;
      afterId = Number(r.id);
      if (Boolean(r.signed_at_upgrade)) report(brokenOf(r, '升级时补签的标记不符'));
      checkOwnMac(r);
    }
  }
  return { ok: problems === 0, rows, unsealed, legacy, anchor: { seq: h.anchor_seq, at: h.anchor_at }, head: h.head_seq, broken, problems };
}

/** The verdict in one Chinese sentence (the CLI). */
export function verifyText(v: VerifyResult): string {
  if (v.ok) {
    const from = v.anchor.seq > 0 ? `，起点为第 ${v.anchor.seq} 号之后（更早的已按保存期限清理，最后清理 ${v.anchor.at ?? ''}）` : '';
    const notes = [
      ...(v.legacy ? [`其中 ${v.legacy} 行为升级前的记录，升级时补签`] : []),
      ...(v.unsealed ? [`${v.legacy ? '' : '其中 '}${v.unsealed} 行待封存`] : []),
    ];
    return `审计日志完整：共 ${v.rows + v.unsealed} 行${notes.length ? `（${notes.join('；')}）` : ''}，链头第 ${v.head} 号${from}。`;
  }
  const b = v.broken!;
  const where = b.id !== null ? `第 ${b.id} 行（链序号 ${b.seq ?? '未封存'}，${b.at ?? ''}，${b.action ?? ''}）` : `链序号 ${b.seq ?? ''}`;
  return `审计日志不完整：${where}${b.problem}。共发现 ${v.problems} 处问题。`;
}

// ---- retention --------------------------------------------------------------------------

export const AUDIT_KEEP_DAYS_DEFAULT = 183;
export const AUDIT_KEEP_DAYS_MIN = 180;

/** AUDIT_KEEP_DAYS from the environment: at least 180 days (等保 2.0: ≥ 6 months). */
export function auditKeepDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AUDIT_KEEP_DAYS?.trim();
  if (!raw) return AUDIT_KEEP_DAYS_DEFAULT;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`AUDIT_KEEP_DAYS 取值无效：${raw}（应为天数，至少 ${AUDIT_KEEP_DAYS_MIN}）`);
  if (n < AUDIT_KEEP_DAYS_MIN) throw new Error(`AUDIT_KEEP_DAYS 不能少于 ${AUDIT_KEEP_DAYS_MIN} 天（审计日志至少保存6个月）：${raw}`);
  return n;
}

export interface PurgeResult {
  deleted: number;
  cutoff: string;
  anchor: { seq: number; at: string | null };
}

/**
 * Deletes the chained rows older than `keepDays` from the start of the chain, in seq order, and
 * moves the anchor to the last deleted row (its seq, chain_mac and time), so the chain still
 * verifies from there. The purge is itself an audit row (its detail names the new anchor).
 */
export async function purgeAuditLog(db: Knex, opts: { keepDays: number; now?: number; actor?: string; batch?: number }): Promise<PurgeResult> {
  if (opts.keepDays < AUDIT_KEEP_DAYS_MIN) throw new Error(`审计日志至少保存 ${AUDIT_KEEP_DAYS_MIN} 天，不能按 ${opts.keepDays} 天清理`);
  const batch = opts.batch ?? 1000;
  const cutoff = nowMoment((opts.now ?? Date.now()) - opts.keepDays * 86_400_000);
  await sealAuditChain(db);
  let deleted = 0;
  let anchor = { seq: 0, at: null as string | null };
  let firstSeq: number | null = null;
  for (;;) {
    const n = await db.transaction(async (trx) => {
      const h = await lockChain(trx);
      anchor = { seq: h.anchor_seq, at: h.anchor_at };
      const rows: Record<string, unknown>[] = await trx('audit_log').whereNotNull('seq').where('seq', '>', h.anchor_seq).orderBy('seq').limit(batch).select('id', 'seq', 'at', 'chain_mac');
      const old: Record<string, unknown>[] = [];
      for (const r of rows) {
        if (String(r.at) >= cutoff) break;
        old.push(r);
      }
      if (!old.length) return { n: 0, more: false };
      const last = old[old.length - 1];
      firstSeq ??= Number(old[0].seq);
      await trx('audit_log').whereNotNull('seq').where('seq', '>', h.anchor_seq).where('seq', '<=', Number(last.seq)).delete();
      await trx('audit_chain').where({ id: 1 }).update({ anchor_seq: Number(last.seq), anchor_mac: String(last.chain_mac ?? ''), anchor_at: String(last.at) });
      anchor = { seq: Number(last.seq), at: String(last.at) };
      return { n: old.length, more: old.length === batch };
    });
    deleted += n.n;
    if (!n.more) break;
  }
  if (deleted) {
    const h = asHead(await db('audit_chain').where({ id: 1 }).first());
    await audit(db, opts.actor ?? 'system', 'audit_purge', null, null, { deleted, keepDays: opts.keepDays, cutoff, fromSeq: firstSeq, anchorSeq: h.anchor_seq, anchorMac: h.anchor_mac, anchorAt: h.anchor_at });
    await sealAuditChain(db);
  }
  return { deleted, cutoff, anchor };
}

// ---- reading ----------------------------------------------------------------------------

export interface AuditListFilter {
  since?: string;
  actor?: string;
  action?: string;
  limit?: number;
}

export interface AuditListRow {
  id: number;
  seq: number | null;
  at: string;
  actor: string;
  action: string;
  entity: string | null;
  entityId: number | null;
  unitId: number | null;
  ip: string | null;
  detail: unknown;
}

/** The newest rows first, filtered (the CLI's `sanse audit list`). */
export async function listAuditRows(db: Knex, f: AuditListFilter = {}): Promise<AuditListRow[]> {
  const q = db('audit_log').orderBy('id', 'desc').limit(f.limit ?? 200);
  if (f.since) q.where('at', '>=', f.since);
  if (f.actor) q.where({ actor: f.actor });
  if (f.action) q.where({ action: f.action });
  const rows: Record<string, unknown>[] = await q.select('id', 'seq', 'at', 'actor', 'action', 'entity', 'entity_id', 'unit_id', 'ip', 'detail');
  return rows.map((r) => ({
    id: Number(r.id), seq: num(r.seq), at: String(r.at), actor: String(r.actor), action: String(r.action),
    entity: str(r.entity), entityId: num(r.entity_id), unitId: num(r.unit_id), ip: str(r.ip),
    detail: r.detail ? JSON.parse(String(r.detail)) : null,
  }));
}
