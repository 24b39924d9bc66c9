// The report's charts (core/quarterly-report.ts ReportChart) rendered to SVG text by ECharts'
// server-side renderer. Pure computation (no DOM, no files), so it lives in core/ next to the
// report definition; commands/ embeds the SVG in HTML (PDF) and Word (with a PNG fallback).

import * as echarts from 'echarts';
import type { ReportChart } from './quarterly-report.ts';

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 320;
const FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif';
const COLORS = ['#2f6fb3', '#e0a21b', '#c23b3b', '#3a9b5c', '#7a5cb8', '#6b7785'];

/** The ECharts option of one report chart. */
export function chartOption(c: ReportChart): echarts.EChartsCoreOption {
  const base = { animation: false, color: COLORS, textStyle: { fontFamily: FONT }, title: { text: c.title, left: 'center', textStyle: { fontSize: 15, fontFamily: FONT } } };
  if (c.kind === 'pie') {
    return {
      ...base,
      legend: { bottom: 0, textStyle: { fontFamily: FONT } },
      series: [{ type: 'pie', radius: ['30%', '60%'], center: ['50%', '52%'], label: { formatter: '{b}：{c}', fontFamily: FONT }, data: c.categories.map((name, i) => ({ name, value: c.series[0]?.data[i] ?? 0 })) }],
    };
  }
  return {
    ...base,
    legend: c.series.length > 1 ? { bottom: 0, textStyle: { fontFamily: FONT } } : undefined,
    grid: { left: 60, right: 24, top: 48, bottom: c.series.length > 1 ? 56 : 36 },
    xAxis: { type: 'category', data: c.categories, axisLabel: { interval: 0, fontFamily: FONT } },
    yAxis: { type: 'value', axisLabel: { fontFamily: FONT } },
    series: c.series.map((s) => ({ type: c.kind, name: s.name, data: s.data, label: { show: true, position: 'top', fontFamily: FONT } })),
  };
}

/** One chart as an SVG document. */
export function chartSvg(c: ReportChart, width = CHART_WIDTH, height = CHART_HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(chartOption(c));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
