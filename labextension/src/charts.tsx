// Charts as plain SVG (see docs/sidebar.md: a chart library would be most of the bundle),
// coloured by the theme's variables so they follow light and dark.
import * as React from 'react';
import { Bin, formatValue, scalePoints } from './format';

const SERIES = [
  '--jp-brand-color1',
  '--jp-warn-color1',
  '--jp-success-color1',
  '--jp-error-color1'
];

export function seriesColor(i: number): string {
  return `var(${SERIES[i % SERIES.length]})`;
}

/** A chart's SVG: its title, the y range at the left and a frame; the plot is drawn inside. */
export function ChartFrame(props: {
  size: [number, number, number];
  title: string;
  yMin: number;
  yMax: number;
  className?: string;
  children: React.ReactNode;
}): JSX.Element {
  const [w, h, m] = props.size;
  return (
    // drawn at its own size, scaled down to a narrower container (the sidebar at its width)
    <svg
      viewBox={`0 0 ${w} ${h}`}
      width="100%"
      style={{ maxWidth: w }}
      role="img"
      aria-label={props.title}
      className={props.className}
    >
      <text x={m} y={14} className="jp-mlops-axis">
        {props.title}
      </text>
      <text x={2} y={m + 4} className="jp-mlops-axis">
        {formatValue(props.yMax)}
      </text>
      <text x={2} y={h - m + 4} className="jp-mlops-axis">
        {formatValue(props.yMin)}
      </text>
      <g transform={`translate(${m},${m})`}>
        <rect width={w - 2 * m} height={h - 2 * m} className="jp-mlops-frame" />
        {props.children}
      </g>
    </svg>
  );
}

/** A small line plot of several series (metric history per run). */
export function LinePlot(props: {
  series: { label: string; points: { x: number; y: number | null }[] }[];
  title: string;
}): JSX.Element {
  const [w, h, m] = [320, 140, 32];
  const { points, yMin, yMax } = scalePoints(
    props.series.map(s => s.points),
    w - 2 * m,
    h - 2 * m
  );
  return (
    <figure className="jp-mlops-chart">
      <ChartFrame
        size={[w, h, m]}
        title={props.title}
        yMin={yMin}
        yMax={yMax}
        className="jp-mlops-line"
      >
        {points.map((line, i) => (
          <g key={i} style={{ color: seriesColor(i) }}>
            <polyline
              points={line.map(p => p.join(',')).join(' ')}
              fill="none"
              stroke="currentColor"
              strokeWidth={2}
            />
            {line.map((p, j) => (
              <circle key={j} cx={p[0]} cy={p[1]} r={2.5} fill="currentColor" />
            ))}
          </g>
        ))}
      </ChartFrame>
      <figcaption>
        {props.series.map((s, i) => (
          <span key={s.label} className="jp-mlops-legend" style={{ color: seriesColor(i) }}>
            ● <span>{s.label}</span>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Reference vs current share of each bin, side by side. */
export function HistogramChart(props: {
  bins: Bin[];
  title: string;
  small?: boolean;
}): JSX.Element {
  const small = !!props.small;
  const [w, h] = small ? [90, 22] : [320, 150];
  const bottom = small ? 0 : 40;
  const top = small ? 0 : 18;
  const max = Math.max(1e-9, ...props.bins.flatMap(b => [b.reference, b.current]));
  const band = w / Math.max(1, props.bins.length);
  const bar = Math.max(1, band / 2 - 1);
  const scale = (share: number) => (share / max) * (h - top - bottom);
  return (
    <svg
      width={w}
      height={h}
      role="img"
      aria-label={`${props.title}: reference vs current histogram`}
      className={`jp-mlops-histogram${small ? ' jp-mlops-histogram-small' : ''}`}
    >
      {!small && (
        <text x={0} y={12} className="jp-mlops-axis">
          {props.title}: <tspan style={{ fill: seriesColor(0) }}>reference</tspan> vs{' '}
          <tspan style={{ fill: seriesColor(1) }}>current</tspan>
        </text>
      )}
      {props.bins.map((b, i) => (
        <g key={i}>
          <title>{`${b.label}: reference ${formatValue(b.reference)}, current ${formatValue(b.current)}`}</title>
          <rect
            className="jp-mlops-bar-reference"
            x={i * band}
            y={h - bottom - scale(b.reference)}
            width={bar}
            height={scale(b.reference)}
            style={{ fill: seriesColor(0) }}
          />
          <rect
            className="jp-mlops-bar-current"
            x={i * band + bar + 1}
            y={h - bottom - scale(b.current)}
            width={bar}
            height={scale(b.current)}
            style={{ fill: seriesColor(1) }}
          />
          {!small && props.bins.length <= 12 && (
            <text
              className="jp-mlops-axis"
              transform={`translate(${i * band + bar},${h - bottom + 10}) rotate(30)`}
            >
              {b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}
