// #/towns: 镇街三色图 — every town (镇/街道) coloured by how it uses its 编制 against the office's
// thresholds (GET /api/towns). With a GeoJSON of the towns uploaded by the office (its approved
// source: 标准地图/天地图 boundaries) it is an ECharts map; without one, a tile grid in the same
// colours. Tapping a town lists its units with their figures, each leading to its portrait. The
// 编办管理员 edits the thresholds and uploads or removes the map on the same page.
// `TownMapPanel` is the map (or grid) with the town's units, for the dashboard to embed.

import { useState } from 'preact/hooks';
import { errorText, get, post, put, request } from '../api.ts';
import { Chart } from '../charts/Chart.tsx';
import type { Me } from '../types.ts';
import { OFFICE_ROLES } from '../types.ts';
import { ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';

type Colour = 'green' | 'yellow' | 'red' | 'grey';

interface Figures { approved: number; onQuota: number; vacant: number; over: number; overUnits: number; vacancyRate: number | null; saturation: number | null }
export interface TownLine extends Figures {
  id: number; name: string; regionName: string | null; colour: Colour; reason: string;
  units: Array<Figures & { id: number; name: string }>;
}
interface Thresholds { greenSaturation: number; redSaturation: number; yellowVacancy: number; redVacancy: number; redOnOver: boolean }
export interface TownsView {
  asOf: string | null;
  thresholds: Thresholds;
  defaults: Thresholds;
  canEdit: boolean;
  map: { features: number; bytes: number; fileName: string | null; uploadedBy: string; uploadedAt: string } | null;
  towns: TownLine[];
}
interface MapView { map: (NonNullable<TownsView['map']> & { geojson: unknown }) | null; matched: Record<string, number>; missing: Array<{ id: number; name: string }> }

const FILL: Record<Colour, string> = { green: '#18a058', yellow: '#f0b400', red: '#d93026', grey: '#c0c4cc' };
const COLOUR_TEXT: Record<Colour, string> = { green: '绿色', yellow: '黄色', red: '红色', grey: '未核定' };
const pct = (n: number | null) => (n == null ? '—' : `${n.toFixed(1)}%`);
const townLabel = (t: TownLine) => t.regionName || t.name;

function Legend(props: { t: Thresholds }) {
  const { t } = props;
  return (
    <div class="legend small" data-testid="town-legend">
      <span><i class="swatch green" />绿色：饱和度 ≥ {t.greenSaturation}%，空编率 &lt; {t.yellowVacancy}%{t.redOnOver ? '，无超编' : ''}</span>
      <span><i class="swatch yellow" />黄色：饱和度 {t.redSaturation}%–{t.greenSaturation}% 或空编率 {t.yellowVacancy}%–{t.redVacancy}%</span>
      <span><i class="swatch red" />红色：{t.redOnOver ? '有超编，或' : ''}饱和度 &lt; {t.redSaturation}% 或空编率 ≥ {t.redVacancy}%</span>
    </div>
  );
}

function TownUnits(props: { town: TownLine }) {
  const { town } = props;
  return (
    <div class="card" data-testid="town-units" data-town={town.id}>
      <div class="row-between">
        <h2 class="card-title">{town.name}</h2>
        <span class={`badge ${town.colour}`}>{COLOUR_TEXT[town.colour]}</span>
      </div>
      <div class="small">{town.reason}</div>
      <div class="muted small">核定 {town.approved}　实有 {town.onQuota}　空编 {town.vacant}　超编 {town.over}　空编率 {pct(town.vacancyRate)}　饱和度 {pct(town.saturation)}</div>
      <div class="table-wrap">
        <table class="grid-table">
          <thead><tr><th>单位</th><th>核定</th><th>实有</th><th>空编</th><th>超编</th><th>饱和度</th></tr></thead>
          <tbody>
            {town.units.map((u) => (
              <tr key={u.id} data-testid="town-unit">
                <td><a href={`#/portrait/${u.id}`} data-testid="town-unit-link">{u.name}</a></td>
                <td>{u.approved}</td><td>{u.onQuota}</td><td>{u.vacant}</td><td class={u.over ? 'bad' : ''}>{u.over}</td><td>{pct(u.saturation)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The towns as a map (when the office uploaded one) or a tile grid, and the tapped town's units. */
export function TownMapPanel(props: { data?: TownsView; height?: number }) {
  const own = useLoad(() => (props.data ? Promise.resolve(props.data) : get<TownsView>('/api/towns')), [props.data]);
  const data = props.data ?? own.data;
  const mapLoad = useLoad(() => (data?.map ? get<MapView>('/api/towns/map') : Promise.resolve(null)), [data?.map?.uploadedAt ?? '']);
  const [picked, setPicked] = useState<number | null>(null);
  // The picked town with its units (GET /api/towns?town=ID).
  const opened = useLoad(() => (picked == null ? Promise.resolve(null) : get<TownsView>(`/api/towns?town=${picked}`).then((v) => v.towns.find((t) => t.id === picked) ?? null)), [picked]);
  if (!data) return own.error != null ? <ErrorBox error={own.error} retry={own.reload} /> : <Loading />;
  if (!data.towns.length) return <div class="empty" data-testid="towns-empty">没有可查看的镇街（机构性质为“乡镇(街道)机关”的单位）</div>;
  const town = opened.data && opened.data.id === picked ? opened.data : null;
  const m = mapLoad.data;
  const byId = new Map(data.towns.map((t) => [t.id, t]));
  const featureOf = new Map<number, string>(m ? Object.entries(m.matched).map(([name, id]) => [id, name]) : []);
  return (
    <div class="town-panel">
      {m?.map ? (
        <div class="card" data-testid="town-map">
          <Chart
            height={props.height ?? 420}
            label="镇街三色图"
            map={{ name: `sanse-towns-${m.map.uploadedAt}`, geojson: m.map.geojson }}
            option={{
              tooltip: { trigger: 'item', formatter: (p: { name: string; data?: { reason?: string } }) => `${p.name}<br/>${p.data?.reason ?? '无数据'}` },
              series: [{
                type: 'map', map: `sanse-towns-${m.map.uploadedAt}`, roam: true, selectedMode: false,
                label: { show: true, fontSize: 13, fontWeight: 'bold', color: '#fff', textBorderColor: 'rgba(0,0,0,.45)', textBorderWidth: 2 },
                itemStyle: { areaColor: FILL.grey, borderColor: '#fff', borderWidth: 1 },
                emphasis: { label: { show: true }, itemStyle: { areaColor: '#4a90e2' } },
                data: Object.entries(m.matched).map(([name, id]) => ({ name, townId: id, reason: `${byId.get(id)?.name ?? ''}：${byId.get(id)?.reason ?? ''}`, itemStyle: { areaColor: FILL[byId.get(id)?.colour ?? 'grey'] } })),
              }],
            }}
            onClick={(p) => { const id = m.matched[p.name]; if (id) setPicked(id); }}
            testid="town-map-chart"
          />
          {m.missing.length > 0 && <div class="muted small">地图中没有边界的镇街：{m.missing.map((x) => x.name).join('、')}（见下方色块）</div>}
        </div>
      ) : null}
      <div class={`tile-grid ${m?.map ? 'compact' : ''}`} data-testid="town-tiles">
        {data.towns.filter((t) => !m?.map || !featureOf.has(t.id)).map((t) => (
          <button type="button" key={t.id} class={`tile ${t.colour} ${picked === t.id ? 'picked' : ''}`} onClick={() => setPicked(t.id)} data-testid="town-tile" data-colour={t.colour} data-town={t.id}>
            <b>{townLabel(t)}</b>
            <span>饱和度 {pct(t.saturation)}</span>
            <span class="small">{t.reason}</span>
          </button>
        ))}
      </div>
      {town ? <TownUnits town={town} /> : picked != null ? (opened.error != null ? <ErrorBox error={opened.error} retry={opened.reload} /> : <Loading />) : <div class="muted small" style="text-align:center;padding:8px">点击镇街查看所属单位</div>}
    </div>
  );
}

function ThresholdForm(props: { view: TownsView; onSaved: () => void }) {
  const [v, setV] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(props.view.thresholds).map(([k, x]) => [k, String(x)])));
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (k: keyof Thresholds, label: string) => (
    <div class="field" key={k}>
      <label for={`th-${k}`}>{label}（%）</label>
      <input id={`th-${k}`} inputMode="decimal" value={v[k]} onInput={(e) => setV({ ...v, [k]: (e.target as HTMLInputElement).value })} data-testid={`th-${k}`} />
    </div>
  );
  return (
    <form class="card" data-testid="threshold-form" onSubmit={async (e) => {
      e.preventDefault();
      setBusy(true);
      try {
        await put('/api/towns/thresholds', { greenSaturation: v.greenSaturation, redSaturation: v.redSaturation, yellowVacancy: v.yellowVacancy, redVacancy: v.redVacancy, redOnOver: v.redOnOver === 'true' });
        setMsg({ ok: true, text: '已保存，镇街颜色已按新标准更新' });
        props.onSaved();
      } catch (err) {
        setMsg({ ok: false, text: errorText(err) });
      } finally {
        setBusy(false);
      }
    }}>
      <h2 class="card-title">三色标准</h2>
      {field('greenSaturation', '绿色：饱和度不低于')}
      {field('redSaturation', '红色：饱和度低于')}
      {field('yellowVacancy', '黄色：空编率不低于')}
      {field('redVacancy', '红色：空编率不低于')}
      <div class="field">
        <label for="th-redOnOver">有超编的镇街</label>
        <select id="th-redOnOver" value={v.redOnOver} onChange={(e) => setV({ ...v, redOnOver: (e.target as HTMLSelectElement).value })} data-testid="th-redOnOver">
          <option value="true">标为红色</option>
          <option value="false">按饱和度和空编率判断</option>
        </select>
      </div>
      {msg && <div class={`notice ${msg.ok ? 'ok' : 'error'}`} data-testid="threshold-msg" role="status">{msg.text}</div>}
      <button type="submit" class="primary block" disabled={busy} data-testid="threshold-save">保存标准</button>
    </form>
  );
}

function MapUpload(props: { view: TownsView; onChanged: () => void }) {
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const m = props.view.map;
  return (
    <div class="card" data-testid="map-upload">
      <h2 class="card-title">镇街地图</h2>
      <p class="small muted" style="margin-top:0">
        请上传本地经审核的镇街边界（标准地图服务或天地图等审图号来源导出的 GeoJSON，每个区域的 properties.name 为镇街名称），不要使用网上下载的地图。未上传时以色块显示。
      </p>
      {m && <div class="small" data-testid="map-current">当前地图：{m.fileName ?? '未命名'}，{m.features} 个区域，{m.uploadedBy} 于 {m.uploadedAt} 上传</div>}
      <input type="file" accept=".json,.geojson,application/json,application/geo+json" data-testid="map-file" disabled={busy} onChange={async (e) => {
        const input = e.target as HTMLInputElement;
        const file = input.files?.[0];
        if (!file) return;
        setBusy(true);
        setMsg(null);
        try {
          if (file.size > 5 * 1024 * 1024) throw new Error('地图文件超过 5 MB，请简化边界后再上传');
          const r = await post<{ features: number; missing: Array<{ name: string }> }>('/api/towns/map', { geojson: await file.text(), fileName: file.name });
          setMsg({ ok: true, text: `已上传 ${r.features} 个镇街的边界${r.missing.length ? `；没有边界的镇街：${r.missing.map((x) => x.name).join('、')}` : ''}` });
          props.onChanged();
        } catch (err) {
          setMsg({ ok: false, text: errorText(err) });
        } finally {
          setBusy(false);
          input.value = '';
        }
      }} />
      {msg && <div class={`notice ${msg.ok ? 'ok' : 'error'}`} data-testid="map-msg" role="status">{msg.text}</div>}
      {m && <button type="button" class="danger" disabled={busy} data-testid="map-delete" onClick={async () => {
        if (!confirm('删除已上传的镇街地图？删除后以色块显示。')) return;
        try {
          await request('/api/towns/map', { method: 'DELETE' });
          setMsg({ ok: true, text: '已删除地图' });
          props.onChanged();
        } catch (err) {
          setMsg({ ok: false, text: errorText(err) });
        }
      }}>删除地图</button>}
    </div>
  );
}

export function TownsPage(props: { me: Me }) {
  const { data, error, loading, reload } = useLoad(() => get<TownsView>('/api/towns'), []);
  const office = OFFICE_ROLES.has(props.me.role);
  const counts = { red: 0, yellow: 0, green: 0, grey: 0 } as Record<Colour, number>;
  for (const t of data?.towns ?? []) counts[t.colour]++;
  return (
    <div class="shell portrait-shell">
      <Header title="镇街三色图" back={() => (history.length > 1 ? history.back() : (location.hash = office ? '#/console' : '#/todo'))} />
      <main class="page">
        {error != null && !data && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && (
          <div class="towns-layout">
            <div>
              <div class="row-gap" data-testid="town-counts">
                <span class="badge red">红色 {counts.red}</span>
                <span class="badge yellow">黄色 {counts.yellow}</span>
                <span class="badge green">绿色 {counts.green}</span>
                {counts.grey > 0 && <span class="badge grey">未核定 {counts.grey}</span>}
                {data.asOf && <span class="muted small">数据截至 {data.asOf}</span>}
              </div>
              <Legend t={data.thresholds} />
              <TownMapPanel data={data} />
            </div>
            {data.canEdit && (
              <div>
                <ThresholdForm key={JSON.stringify(data.thresholds)} view={data} onSaved={reload} />
                <MapUpload view={data} onChanged={reload} />
              </div>
            )}
          </div>
        )}
      </main>
      <Tabs me={props.me} active={office ? 'console' : 'todo'} />
    </div>
  );
}
