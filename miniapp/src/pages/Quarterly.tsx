// #/console/quarterly (季度分析报告, office roles): a quarter selector, the report as Word and PDF,
// and the quarter's narrative draft (AI 大模型分析): shown as 草稿 until 编办管理员/编办业务人员 edit
// and save it; the report then uses the saved text. Also the month's negative-list reading.

import { useEffect, useState } from 'preact/hooks';
import { errorText, get, post, put, qs } from '../api.ts';
import { go } from '../router.ts';
import type { Me } from '../types.ts';
import { OPERATOR_ROLES } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';

interface Draft { kind: string; period: string; text: string; source: 'llm' | 'template'; model: string | null; note: string | null; status: string; createdAt: string; editedBy: string | null; editedByName: string | null; editedAt: string | null; mark: string | null }

/** The quarter before today's (Asia/Shanghai): the last complete one. */
export function lastQuarter(now = Date.now()): string {
  const d = new Date(now + 8 * 3600_000);
  const q = Math.floor(d.getUTCMonth() / 3) + 1;
  return q === 1 ? `${d.getUTCFullYear() - 1}Q4` : `${d.getUTCFullYear()}Q${q - 1}`;
}

function quarterOptions(now = Date.now()): string[] {
  const y = new Date(now + 8 * 3600_000).getUTCFullYear();
  const out: string[] = [];
  for (let year = y; year >= y - 2; year--) for (let q = 4; q >= 1; q--) out.push(`${year}Q${q}`);
  return out;
}
const quarterTitle = (id: string) => `${id.slice(0, 4)}年第${['一', '二', '三', '四'][Number(id.slice(5)) - 1]}季度`;

function DraftEditor(props: { me: Me; kind: 'quarterly' | 'negative-list'; period: string; title: string }) {
  const url = `/api/analysis/${props.kind}/${encodeURIComponent(props.period)}`;
  const loaded = useLoad(() => get<{ draft: Draft | null; llmConfigured: boolean }>(url), [url]);
  const [text, setText] = useState('');
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const canEdit = OPERATOR_ROLES.has(props.me.role);
  const d = loaded.data?.draft ?? null;
  useEffect(() => setText(d?.text ?? ''), [d?.text, d?.status]);

  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    setNote(null);
    try {
      await fn();
      setNote({ ok: true, text: ok });
      loaded.reload();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card" data-testid={`draft-${props.kind}`}>
      <b>{props.title}</b>
      {loaded.error != null && <ErrorBox error={loaded.error} retry={loaded.reload} />}
      {loaded.loading && loaded.data === undefined && <Loading />}
      {loaded.data && (
        <>
          <div class="small muted">{loaded.data.llmConfigured ? '已配置大模型接口：草稿由大模型根据系统统计数字起草（不含个人姓名和身份证号）。' : '未配置大模型接口：草稿为模板文字。'}</div>
          {d ? (
            <div class="small" data-testid="draft-state">
              {d.mark ? <span class="badge yellow" data-testid="draft-mark">{d.mark}</span> : <span class="badge green" data-testid="draft-final">已定稿</span>}
              {' '}生成于 {d.createdAt}{d.model ? `（模型 ${d.model}）` : ''}{d.editedBy ? `；${d.editedByName ?? d.editedBy} 于 ${d.editedAt} 定稿` : ''}
              {d.note && <div class="notice error small" data-testid="draft-note">{d.note}</div>}
            </div>
          ) : <div class="small muted" data-testid="draft-none">尚未生成草稿。{props.kind === 'quarterly' ? '下载报告时会自动起草。' : '每月第一个工作日 09:40 自动起草上月解读。'}</div>}
          <textarea data-testid="draft-text" rows={16} style="width:100%" value={text} readOnly={!canEdit} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          {canEdit && (
            <div class="actions">
              <button class="btn primary" disabled={busy || !text.trim()} data-testid="draft-save" onClick={() => act(() => put(url, { text }), '已保存，报告将使用这段文字')}>保存定稿</button>
              {' '}
              <button class="btn" disabled={busy || d?.status === '已定稿'} data-testid="draft-redo" onClick={() => act(() => post(`${url}/draft`, { replace: true }), '已重新起草')}>{d ? '重新起草' : '起草'}</button>
            </div>
          )}
          {note && <div class={`notice ${note.ok ? 'ok' : 'error'} small`} data-testid="draft-saved">{note.text}</div>}
        </>
      )}
    </div>
  );
}

export function QuarterlyTab(props: { me: Me; query: URLSearchParams }) {
  const quarter = props.query.get('quarter') || lastQuarter();
  const monthOfQuarter = `${quarter.slice(0, 4)}-${String(Number(quarter.slice(5)) * 3).padStart(2, '0')}`;
  return (
    <div data-testid="quarterly">
      <div class="filters">
        <label>季度 <select value={quarter} data-testid="quarter" onChange={(e) => go(`/console/quarterly${qs({ quarter: (e.target as HTMLSelectElement).value })}`)}>
          {quarterOptions().map((q) => <option value={q} key={q}>{quarterTitle(q)}</option>)}
        </select></label>
      </div>
      <div class="card">
        <b>{quarterTitle(quarter)}机构编制人员情况分析报告</b>
        <p class="small muted">季末编制、人员结构、退休预测和数据质量，附与上季度的比较及图表。</p>
        <a class="btn" href={`/api/reports/quarterly.docx${qs({ quarter })}`} download data-testid="download-docx">下载 Word</a>{' '}
        <a class="btn" href={`/api/reports/quarterly.pdf${qs({ quarter })}`} download data-testid="download-pdf">下载 PDF</a>
      </div>
      <DraftEditor key={`q-${quarter}`} me={props.me} kind="quarterly" period={quarter} title="报告正文（一至六节）" />
      <DraftEditor key={`n-${monthOfQuarter}`} me={props.me} kind="negative-list" period={monthOfQuarter} title={`负面清单解读（${monthOfQuarter}）`} />
    </div>
  );
}
