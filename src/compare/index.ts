export { compareReports, COMPARED_METRICS, type Comparison, type MetricDelta, type FlippedItem, type Side, type ComparedMetric } from './compare.js';
export { renderComparison } from './render.js';
export { twoProportionZTest, erfc, type ZTest } from '../core/stats.js';
