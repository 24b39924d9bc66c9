// The page of a locked account (the server answered 423): why it is locked and who unlocks, and
// nothing else. Keqiao: 未按要求开展自查的，系统将自动锁定账号 — a locked user reads the reason and
// waits for the 编办管理员; after the unlock, opening the app again logs in as before.

import { Header } from '../ui.tsx';

export function LockedPage(props: { message: string; onRetry: () => void }) {
  return (
    <div class="shell">
      <Header title="账号已锁定" />
      <main class="page" data-testid="locked-page">
        <div class="notice error" role="alert" data-testid="locked-reason">{props.message}</div>
        <div class="card">
          <p style="margin:0 0 8px">锁定期间不能查看或填报数据，也不能使用机器人和卡片按钮。</p>
          <p style="margin:0">编办管理员在控制台“账号锁定”中解锁后，请重新打开小程序。</p>
        </div>
        <button type="button" class="primary block" data-testid="locked-retry" onClick={props.onRetry}>重新打开</button>
      </main>
    </div>
  );
}
