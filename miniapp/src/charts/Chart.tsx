// One ECharts chart in a box: ECharts is imported on first use (portrait-echarts.ts), drawn with
// the SVG renderer, resized with its box and disposed with it. `map` registers a GeoJSON under a
// name first (the town map: the office's uploaded shapes, never a map shipped with the app).

import { useEffect, useRef, useState } from 'preact/hooks';

type Option = Record<string, unknown>;

export function Chart(props: { option: Option; height: number; testid?: string; label?: string; onClick?: (params: { name: string; dataIndex: number; data: unknown }) => void; map?: { name: string; geojson: unknown } }) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const click = useRef(props.onClick);
  click.current = props.onClick;
  const key = JSON.stringify(props.option);
  useEffect(() => {
    let live = true;
    let chart: { dispose(): void; resize(): void } | null = null;
    let observer: ResizeObserver | null = null;
    import('./portrait-echarts.ts').then(({ echarts }) => {
      if (!live || !box.current) return;
      if (props.map) echarts.registerMap(props.map.name, props.map.geojson as never);
      const c = echarts.init(box.current, null, { renderer: 'svg' });
      c.setOption(props.option);
      c.on('click', (p: any) => click.current?.({ name: p.name, dataIndex: p.dataIndex, data: p.data }));
      chart = c;
      observer = new ResizeObserver(() => c.resize());
      observer.observe(box.current);
    }, () => live && setFailed(true));
    return () => {
      live = false;
      observer?.disconnect();
      chart?.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, props.map?.name]);
  if (failed) return <div class="notice error small">图表加载失败，请刷新重试</div>;
  return <div ref={box} class="chart" style={`height:${props.height}px`} data-testid={props.testid} role="img" aria-label={props.label} />;
}
