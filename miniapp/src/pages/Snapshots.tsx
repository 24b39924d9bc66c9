// #/console/snapshots (市县贯通, the city office): the counties' monthly snapshots imported here,
// by county and month with every version, the counties' registered public keys; uploading a
// county's snapshot file (the same check as `sanse snapshot import`: signed by the county's
// registered key, the same file twice changes nothing) and registering a county's public key.
// X-RG-01 compares the latest snapshot of each county with the city's copy in the daily check.

import { useState } from 'preact/hooks';
import { errorText, get, post } from '../api.ts';
import type { Me } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';

/** GET /api/snapshots (server/API.md). */
interface SnapshotsView {
  canImport: boolean;
  keys: Array<{ region: string; fingerprint: string; registeredBy: string; registeredAt: string }>;
  snapshots: Array<{
    region: string; regionName: string | null; month: string; version: number; units: number; people: number; sha256: string; createdAt: string; importedBy: string; importedAt: string;
    versions: Array<{ version: number; sha256: string; units: number; people: number; importedBy: string; importedAt: string }>;
  }>;
}

function base64Of(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function SnapshotsTab(props: { me: Me }) {
  const view = useLoad(() => get<SnapshotsView>('/api/snapshots'), []);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [region, setRegion] = useState('');
  const [key, setKey] = useState('');
  if (view.error) return <ErrorBox error={view.error} retry={view.reload} />;
  if (!view.data) return <Loading />;
  const v = view.data;
  return (
    <div data-testid="snapshots">
      <div class="card">
        <h2 class="card-title">市县贯通</h2>
        <p class="small muted" style="margin-top:0">
          自行部署“三色”的区县每月用 <code>sanse snapshot export</code> 导出本区县快照（已签名，身份证号只含哈希和脱敏号），在此上传。
          每日检查按规则 X-RG-01 把各区县最新一期快照与市级库中该区县的单位和人员逐一比对。同一文件重复上传不作任何改动；同一区县同一月份上传另一文件时替换原版本，历次版本保留。
        </p>
        {v.canImport && (
          <label class="field">
            <span>上传区县快照（.json.gz）</span>
            <input type="file" accept=".gz,.json,application/gzip,application/json" data-testid="snapshot-file" disabled={busy} onChange={async (e) => {
              const input = e.target as HTMLInputElement;
              const file = input.files?.[0];
              if (!file) return;
              setBusy(true);
              setMsg(null);
              try {
                if (file.size > 64 * 1024 * 1024) throw new Error('快照文件超过 64 MB');
                const r = await post<{ message: string }>('/api/snapshots', { data: base64Of(await file.arrayBuffer()), fileName: file.name });
                setMsg({ ok: true, text: r.message });
                view.reload();
              } catch (err) {
                setMsg({ ok: false, text: errorText(err) });
              } finally {
                setBusy(false);
                input.value = '';
              }
            }} />
          </label>
        )}
        {msg && <div class={`notice ${msg.ok ? 'ok' : 'error'}`} data-testid="snapshot-msg" role="status">{msg.text}</div>}
      </div>

      <div class="card">
        <h3 style="margin-top:0">各区县快照</h3>
        {!v.snapshots.length && <div class="small muted" data-testid="snapshot-none">尚未导入任何区县快照。</div>}
        {v.snapshots.length > 0 && (
          <table class="table" data-testid="snapshot-list">
            <thead><tr><th>区县</th><th>月份</th><th>单位</th><th>人员</th><th>版本</th><th>导入</th></tr></thead>
            <tbody>
              {v.snapshots.map((s) => (
                <tr key={`${s.region}-${s.month}`} data-testid="snapshot-row">
                  <td>{s.regionName ? `${s.regionName}（${s.region}）` : s.region}</td>
                  <td>{s.month}</td>
                  <td>{s.units}</td>
                  <td>{s.people}</td>
                  <td>
                    第 {s.version} 版
                    {s.versions.length > 1 && (
                      <details class="small"><summary>历次版本</summary>
                        {s.versions.map((x) => <div key={x.version}>第 {x.version} 版：单位 {x.units}、人员 {x.people}，{x.importedBy} 于 {x.importedAt} 导入，摘要 {x.sha256.slice(0, 12)}…</div>)}
                      </details>
                    )}
                  </td>
                  <td class="small">{s.importedBy}<br />{s.importedAt}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <div class="card">
        <h3 style="margin-top:0">区县公钥</h3>
        {!v.keys.length && <div class="small muted">尚未登记区县公钥：未登记公钥的区县快照不能导入。</div>}
        {v.keys.map((k) => <div class="small" key={k.region} data-testid="snapshot-key">{k.region}：指纹 {k.fingerprint.slice(0, 16)}…，{k.registeredBy} 于 {k.registeredAt} 登记</div>)}
        {v.canImport && (
          <form style="margin-top:.6em" onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setMsg(null);
            try {
              const r = await post<{ region: string; fingerprint: string; replaced: boolean }>('/api/snapshots/keys', { region, publicKey: key });
              setMsg({ ok: true, text: `已${r.replaced ? '更换' : '登记'}区县 ${r.region} 的公钥，指纹 ${r.fingerprint.slice(0, 16)}…` });
              setKey('');
              view.reload();
            } catch (err) {
              setMsg({ ok: false, text: errorText(err) });
            } finally {
              setBusy(false);
            }
          }}>
            <label class="field"><span>区县区划代码</span><input value={region} maxLength={6} inputMode="numeric" placeholder="如 330604" data-testid="key-region" onInput={(e) => setRegion((e.target as HTMLInputElement).value)} /></label>
            <label class="field"><span>公钥（snapshot-signing.pub 的内容）</span><textarea rows={4} value={key} data-testid="key-text" onInput={(e) => setKey((e.target as HTMLTextAreaElement).value)} /></label>
            <button type="submit" class="primary" disabled={busy || !region || !key} data-testid="key-submit">登记公钥</button>
          </form>
        )}
      </div>
    </div>
  );
}
