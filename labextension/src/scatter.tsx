// A scatter of many runs over two chosen columns, coloured by the chosen metric; a run
// lacking a value sits just outside the frame, on that side.
import * as React from 'react';
import { Axis, MISSING, rampColor, ticks } from './axes';
import { Canvas, fit, Surface } from './canvas';

const [LEFT, RIGHT, TOP, BOTTOM] = [58, 10, 8, 36];

function place(p: number, from: number, to: number): number {
  return p === MISSING ? from - 7 * Math.sign(to - from) : from + p * (to - from);
}

interface Dots {
  shade: (number | null)[];
  marked: number[];
  kept: boolean[] | null;
}

function draw(s: Surface, x: Axis, y: Axis, dots: Dots): void {
  const { shade, marked, kept } = dots;
  const { ctx, width, height } = s;
  const [x0, x1, y0, y1] = [LEFT, width - RIGHT, height - BOTTOM, TOP];
  ctx.strokeStyle = s.color('--jp-ui-font-color2');
  ctx.strokeRect(x0, y1, x1 - x0, y0 - y1);
  const grey = s.color('--jp-ui-font-color3');
  shade.forEach((t, i) => {
    const out = kept !== null && !kept[i];
    ctx.globalAlpha = out ? 0.15 : shade.length > 200 ? 0.6 : 0.85;
    ctx.fillStyle = out || t === null ? grey : rampColor(t);
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
    ctx.fillText(fit(ctx, t.label, 56), place(t.at, x0, x1), y0 + 21);
  }
  ctx.textAlign = 'right';
  for (const t of ticks(y, Math.floor((y0 - y1) / 16))) {
    ctx.fillText(fit(ctx, t.label, LEFT - 16), x0 - 12, place(t.at, y0, y1) + 3);
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

export function Scatter(props: { x: Axis; y: Axis; dots: Dots }): JSX.Element {
  const { x, y, dots } = props;
  return (
    <div className="jp-mlops-canvas-box">
      <Canvas
        className="jp-mlops-scatter"
        height={220}
        label={`scatter of ${dots.shade.length} runs: ${y.label} against ${x.label}`}
        draw={s => draw(s, x, y, dots)}
        deps={[x, y, dots]}
      />
    </div>
  );
}
