'use client';

import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { timeAxis } from './time-axis';

export interface ChartLine {
  key: string;
  label: string;
  color: string;
}

export interface PolicyMark {
  t: number;
  version: number;
  reason: string;
}

export type ChartRow = { t: number } & Record<string, number | null>;

const AXIS = { stroke: '#8b98a8', fontSize: 11 };

/**
 * One metric over time, with the service's policy changes as dashed vertical lines, so a
 * change in the curve can be read against the change that caused it.
 */
export function TimeSeriesChart({
  title,
  unit,
  rows,
  lines,
  marks,
  format,
  tickFormat = format,
  domain,
  window,
  testId,
}: {
  title: string;
  unit: string;
  rows: ChartRow[];
  lines: ChartLine[];
  marks: PolicyMark[];
  /** For the tooltip; `tickFormat` for the axis, where fewer digits read better. */
  format: (value: number) => string;
  tickFormat?: (value: number) => string;
  domain?: [number | 'auto', number | 'auto'];
  /** The window the query covered, in epoch milliseconds: the x axis spans all of it. */
  window: { from: number; to: number };
  testId?: string;
}) {
  const time = timeAxis(window.from, window.to);
  // Read aloud in place of the drawing: what it shows and where each line ends.
  const latest = lines
    .map((line) => {
      const value = rows.findLast((row) => row[line.key] !== null)?.[line.key];
      return typeof value === 'number' ? `${line.label} ${format(value)}` : undefined;
    })
    .filter(Boolean)
    .join(', ');
  return (
    <figure
      className="chart"
      data-testid={testId}
      style={{ margin: 0 }}
      aria-label={`${title} over the window${latest ? `, latest: ${latest}` : ''}`}
    >
      <figcaption className="chart-title">
        {title} <span className="chart-unit">{unit}</span>
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart
            data={rows}
            margin={{ top: 14, right: 12, bottom: 0, left: 0 }}
            // The figure is named by its caption; the chart itself takes no focus or keys.
            accessibilityLayer={false}
          >
            <CartesianGrid stroke="#263040" strokeDasharray="3 3" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={time.domain}
              ticks={time.ticks}
              tickFormatter={time.format}
              tick={AXIS}
              stroke="#3a4656"
              allowDataOverflow
            />
            <YAxis
              tickFormatter={tickFormat}
              tick={AXIS}
              stroke="#3a4656"
              width={62}
              domain={domain ?? [0, 'auto']}
              allowDataOverflow
            />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString('en-GB')}
              formatter={(value) => (typeof value === 'number' ? format(value) : '—')}
              contentStyle={{ background: '#1b2330', border: '1px solid #3a4656' }}
            />
            {lines.length > 1 && <Legend iconType="plainline" wrapperStyle={{ fontSize: 12 }} />}
            {marks.map((mark) => (
              <ReferenceLine
                key={`${mark.version}-${mark.t}`}
                x={mark.t}
                stroke="#58a6ff"
                strokeDasharray="4 3"
                label={{
                  value: `v${mark.version}`,
                  position: 'insideTopRight',
                  fill: '#58a6ff',
                  fontSize: 11,
                }}
                className="policy-mark"
              />
            ))}
            {lines.map((line) => (
              <Line
                key={line.key}
                dataKey={line.key}
                name={line.label}
                stroke={line.color}
                dot={false}
                strokeWidth={1.8}
                isAnimationActive={false}
                connectNulls={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
