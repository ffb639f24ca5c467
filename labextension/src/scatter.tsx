// A scatter of many runs over two chosen columns, coloured by the chosen metric.
import * as React from 'react';
import { Axis, MISSING, rampColor, ticks } from './axes';
import { Canvas, fit, Surface } from './canvas';

const [LEFT, RIGHT, TOP, BOTTOM] = [48, 10, 8, 34];

function place(p: number, from: number, to: number): number {
  return p === MISSING ? from - 14 * Math.sign(to - from) : from + p * (to - from);
}

function draw(s: Surface, x: Axis, y: Axis, shade: (number | null)[], marked: number[]): void {
  const { ctx, width, height } = s;
  const [x0, x1, y0, y1] = [LEFT, width - RIGHT, height - BOTTOM, TOP];
  ctx.strokeStyle = s.color('--jp-ui-font-color2');
  ctx.strokeRect(x0, y1, x1 - x0, y0 - y1);
  ctx.globalAlpha = shade.length > 200 ? 0.6 : 0.85;
  shade.forEach((t, i) => {
    ctx.fillStyle = t === null ? s.color('--jp-ui-font-color3') : rampColor(t);
    ctx.fillRect(place(x.positions[i], x0, x1) - 2, place(y.positions[i], y0, y1) - 2, 4, 4);
  });
  ctx.globalAlpha = 1;
  ctx.strokeStyle = s.color('--jp-ui-font-color0');
  ctx.lineWidth = 2;
  marked.forEach(i => {
    ctx.strokeRect(place(x.positions[i], x0, x1) - 4, place(y.positions[i], y0, y1) - 4, 8, 8);
  });
  ctx.fillStyle = s.color('--jp-ui-font-color1');
  ctx.font = '10px var(--jp-ui-font-family, sans-serif)';
  ctx.textAlign = 'center';
  for (const t of ticks(x, Math.floor((x1 - x0) / 60))) {
    ctx.fillText(fit(ctx, t.label, 56), place(t.at, x0, x1), y0 + 12);
  }
  ctx.textAlign = 'right';
  for (const t of ticks(y, Math.floor((y0 - y1) / 16))) {
    ctx.fillText(fit(ctx, t.label, LEFT - 4), x0 - 3, place(t.at, y0, y1) + 3);
  }
  ctx.font = 'bold 11px var(--jp-ui-font-family, sans-serif)';
  ctx.textAlign = 'center';
  const name = (a: Axis) => (a.kind === 'log' ? `${a.label} (log)` : a.label);
  ctx.fillText(fit(ctx, `${name(x)} →`, x1 - x0), (x0 + x1) / 2, height - 4);
  ctx.save();
  ctx.translate(10, (y0 + y1) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(fit(ctx, `${name(y)} →`, y0 - y1), 0, 0);
  ctx.restore();
}

export function Scatter(props: {
  x: Axis;
  y: Axis;
  shade: (number | null)[];
  marked: number[];
}): JSX.Element {
  const { x, y, shade, marked } = props;
  return (
    <div className="jp-mlops-canvas-box">
      <Canvas
        className="jp-mlops-scatter"
        height={220}
        label={`scatter of ${shade.length} runs: ${y.label} against ${x.label}`}
        draw={s => draw(s, x, y, shade, marked)}
        deps={[x, y, shade, marked]}
      />
    </div>
  );
}
