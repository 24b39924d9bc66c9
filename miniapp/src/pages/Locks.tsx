// #/console/locks (账号锁定): the accounts locked at month close for too few self-checks (and any
// other lock), the reason of each, and for a 编办管理员 the unlock with a required note; below, the
// unlocks done: who, when, the note.

import { useState } from 'preact/hooks';
import { errorText, get, post } from '../api.ts';
import { Dialog, ErrorBox, Loading, useLoad } from '../ui.tsx';

export interface LockView {
  id: number;
  user: { id: string; name: string; role: string | null; locked: boolean };
  unit: { id: number; name: string } | null;
  kind: string;
  month: string;
  selfChecks: number | null;
  required: number | null;
  reason: string;
  lockedAt: string;
  active: boolean;
  unlockedAt: string | null;
  unlockedBy: { id: string; name: string } | null;
  note: string | null;
}

const monthText = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;
const at = (m: string) => m.slice(0, 16);

export function Locks() {
  const list = useLoad(() => get<{ canUnlock: boolean; locks: LockView[] }>('/api/locks'), []);
  const [unlocking, setUnlocking] = useState<LockView | null>(null);
  if (list.error && !list.data) return <ErrorBox error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading />;
  const { canUnlock, locks } = list.data;
  const active = locks.filter((l) => l.active);
  const done = locks.filter((l) => !l.active);
  return (
    <div data-testid="locks">
      <div class="notice info">每月自查少于规定次数的单位，其单位专管员账号在下月第一个工作日自动锁定；锁定期间不能登录小程序，也不能使用机器人和卡片按钮。{canUnlock ? '解锁须填写说明，记入操作日志。' : '解锁由编办管理员操作。'}</div>
      <h2 class="small">锁定中（{active.length}）</h2>
      {active.length ? (
        <table class="grid" data-testid="locks-active">
          <thead><tr><th>用户</th><th>单位</th><th>月份</th><th>原因</th><th>锁定时间</th>{canUnlock && <th />}</tr></thead>
          <tbody>
            {active.map((l) => (
              <tr key={l.id} data-testid={`lock-${l.user.id}`}>
                <td>{l.user.name}<div class="small">{l.user.role}</div></td>
                <td>{l.unit?.name ?? '—'}</td>
                <td>{monthText(l.month)}</td>
                <td>{l.reason}</td>
                <td>{at(l.lockedAt)}</td>
                {canUnlock && <td><button type="button" class="btn" data-testid={`unlock-${l.user.id}`} onClick={() => setUnlocking(l)}>解锁</button></td>}
              </tr>
            ))}
          </tbody>
        </table>
      ) : <div class="empty">没有锁定中的账号</div>}
      <h2 class="small">解锁记录（{done.length}）</h2>
      {done.length ? (
        <table class="grid" data-testid="locks-history">
          <thead><tr><th>用户</th><th>单位</th><th>月份</th><th>原因</th><th>解锁</th><th>说明</th></tr></thead>
          <tbody>
            {done.map((l) => (
              <tr key={l.id}>
                <td>{l.user.name}</td>
                <td>{l.unit?.name ?? '—'}</td>
                <td>{monthText(l.month)}</td>
                <td>{l.reason}</td>
                <td>{l.unlockedBy?.name ?? '—'}<div class="small">{l.unlockedAt ? at(l.unlockedAt) : ''}</div></td>
                <td>{l.note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <div class="empty">暂无解锁记录</div>}
      {unlocking && <UnlockDialog lock={unlocking} onClose={() => setUnlocking(null)} onDone={() => { setUnlocking(null); list.reload(); }} />}
    </div>
  );
}

function UnlockDialog(props: { lock: LockView; onClose: () => void; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!note.trim()) return setError('请填写解锁说明');
    setBusy(true);
    setError(null);
    try {
      await post(`/api/users/${encodeURIComponent(props.lock.user.id)}/unlock`, { note: note.trim() });
      props.onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`解锁 ${props.lock.user.name}`} onClose={props.onClose} testid="unlock-dialog">
      <p class="small">{props.lock.unit?.name ?? ''} {props.lock.reason}。解锁后该用户可立即重新登录。</p>
      <textarea class="reason" data-testid="unlock-note" placeholder="解锁说明（必填），如：单位已说明情况并补做自查" value={note} maxLength={500} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      {error && <div class="notice error" role="alert" data-testid="unlock-error">{error}</div>}
      <div class="actions" style="display:flex;gap:8px;margin-top:8px">
        <button type="button" class="primary" disabled={busy} data-testid="unlock-submit" onClick={submit}>确认解锁</button>
        <button type="button" class="btn" onClick={props.onClose}>取消</button>
      </div>
    </Dialog>
  );
}
