export {
  HistogramError,
  observationCount,
  type Histogram,
  type HistogramErrorCode,
} from './histogram.js';
export { addBucketCounts, fromCumulative, mergeHistograms, toCumulative } from './merge.js';
export { histogramQuantile } from './quantile.js';
export { fractionAbove } from './fraction-above.js';
