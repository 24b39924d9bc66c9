// #/contact?unit=ID&finding=ID: a finding only the office can fix (核定数, 领导职数, 信用代码 …),
// as a unit reads it: what the problem is, what the office does about it, whom to ask and what
// to bring — never a dead end.

import { get, qs } from '../api.ts';
import type { Finding, Me } from '../types.ts';
import { ErrorBox, FindingCard, Header, Loading, Tabs, useLoad } from '../ui.tsx';

export function ContactPage(props: { me: Me; query: URLSearchParams }) {
  const unit = props.query.get('unit') ?? '';
  const findingId = Number(props.query.get('finding') ?? '');
  const { data, error, loading, reload } = useLoad(() => get<Finding[]>(`/api/findings${qs({ status: 'all', unit })}`), [unit]);
  const f = data?.find((x) => x.id === findingId) ?? null;
  return (
    <div class="shell">
      <Header title="需由编办处理" back={() => (history.length > 1 ? history.back() : (location.hash = '#/todo'))} />
      <main class="page">
        {error != null && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && (
          <>
            {f ? <FindingCard finding={f} showUnit={f.subject.kind !== "unit"} /> : <div class="notice ok">该问题已整改或不存在。</div>}
            {f && f.light !== 'green' && (
              <div class="card" data-testid="contact-office">
                <b>{f.fix?.label ?? '联系编办处理'}</b>
                <p>此问题涉及编办核定的信息（如编制核定数、领导职数、统一社会信用代码、机构性质等），单位无法自行修改。</p>
                <p>请联系编办业务科室，并提供相关批准文件（文号、日期）或情况说明。编办修改后，系统会立即重新检查，预警卡片随之变为绿灯。</p>
                <p class="muted small">如属本单位录入错误（例如人员信息填错），请回到待整改列表修改相应人员信息。</p>
                <div class="row">
                  <a class="button" href={`#/unit/${encodeURIComponent(unit)}`} data-testid="to-unit">查看单位信息</a>
                  <a class="button" href={`#/todo${qs({ unit })}`}>返回待整改</a>
                </div>
              </div>
            )}
          </>
        )}
      </main>
      <Tabs me={props.me} active="todo" />
    </div>
  );
}
