// ECharts as the unit portrait and the town map use it: 'echarts/core' with only these charts
// and components and the SVG renderer. Loaded by a dynamic import() (Chart.tsx), so the
// mini-app's first load does not carry it.

import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, PieChart } from 'echarts/charts';
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, MapChart, GeoComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export { echarts };
