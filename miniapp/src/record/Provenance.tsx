// 首录负责制 (issue 18; ningbo-data-regulation art. 22): who first entered a record and who last
// changed it, when and from where (db/provenance.ts, on the person / worker / unit reads and the
// unit portrait), as one line on the record.

import type { Provenance, UnitEntrant, VersionMark } from '../../../core/provenance.ts';

export type { Provenance, UnitEntrant, VersionMark };

/** 张三（单位专管员）2026-03-02 导入：xx.xlsx */
export function markText(m: VersionMark): string {
  const who = m.role ? `${m.name}（${m.role}）` : m.name;
  return `${who} ${m.at.slice(0, 10)} ${sourceText(m.source)}`;
}

/** The source as stored: 导入：file, 小程序修改 (mini-app and console), 审批：no, 演示数据. */
export function sourceText(source: string): string {
  return source;
}

export function ProvenanceLine(props: { provenance?: Provenance | null; testid?: string }) {
  const p = props.provenance;
  if (!p || !p.first) return null;
  const same = p.last && p.last.version === p.first.version;
  return (
    <div class="small muted provenance" data-testid={props.testid ?? 'provenance'}>
      <span data-testid="provenance-first">首录：{markText(p.first)}</span>
      {p.last && !same && <span data-testid="provenance-last">；最后修改：{markText(p.last)}</span>}
      {same && <span>；此后未修改</span>}
    </div>
  );
}

/**
 * The unit portrait's 首录人 card: who entered how many of the unit's people records, from where.
 * For the office each row leads to the 首录人查询 of that user; a unit sees the rows.
 */
export function EntrantsCard(props: { entrants?: UnitEntrant[]; office: boolean }) {
  const list = props.entrants ?? [];
  return (
    <section class="card portrait-card" data-testid="portrait-entrants">
      <h2 class="card-title">首录人<span class="muted small">（本单位人员记录由谁首次录入）</span></h2>
      {list.length ? (
        <table class="grid small" data-testid="entrants">
          <thead><tr><th>首录人</th><th>来源</th><th>人数</th><th>时间</th></tr></thead>
          <tbody>
            {list.map((e) => (
              <tr key={`${e.by}|${e.source}`} data-testid="entrant" data-by={e.by}>
                <td>{props.office ? <a href={`#/console/provenance?user=${encodeURIComponent(e.by === 'system' ? '系统' : e.by)}&kind=first&from=${e.since.slice(0, 10)}&to=${e.until.slice(0, 10)}`}>{e.name}</a> : e.name}{e.role ? <span class="muted">（{e.role}）</span> : null}</td>
                <td>{sourceText(e.source)}</td>
                <td class="num" data-testid="entrant-count">{e.count}</td>
                <td class="muted">{e.since.slice(0, 10)}{e.until.slice(0, 10) !== e.since.slice(0, 10) ? ` 至 ${e.until.slice(0, 10)}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <div class="muted small">暂无人员记录</div>}
    </section>
  );
}
