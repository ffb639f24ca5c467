// A canvas as wide as its container, redrawn when it resizes or its data change, its draw timed.
// Canvas rather than SVG for many runs: 1,000 polylines as DOM nodes cost layout and memory
// on every redraw, one canvas costs a few milliseconds (docs/sidebar.md).
import * as React from 'react';

/** What a draw gets: the context scaled to CSS pixels, the size, and the theme's colours. */
export interface Surface {
  ctx: CanvasRenderingContext2D;
  width: number;
  height: number;
  /** A theme variable's value (``--jp-ui-font-color1``), read from the canvas' styles. */
  color: (variable: string) => string;
}

/** The canvas element, redrawn with ``draw`` whenever ``deps`` or its width change. The last
 * draw's duration in ms is kept in its ``data-render-ms`` attribute (the browser tests and
 * the bench read it). */
export function Canvas(props: {
  height: number;
  label: string;
  draw: (surface: Surface) => void;
  deps: React.DependencyList;
  className?: string;
  /** A pointer pressed, moved (while pressed) or released at (x, y) in CSS pixels. */
  onPointer?: (kind: 'down' | 'move' | 'up', x: number, y: number, width: number) => void;
}): JSX.Element {
  const ref = React.useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = React.useState(0);
  React.useEffect(() => {
    const canvas = ref.current;
    const box = canvas?.parentElement;
    if (!box) {
      return;
    }
    const observer = new ResizeObserver(() => setWidth(Math.floor(box.clientWidth)));
    observer.observe(box);
    return () => observer.disconnect();
  }, []);
  React.useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || width <= 0) {
      return;
    }
    const started = performance.now();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(props.height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${props.height}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, props.height);
    const styles = getComputedStyle(canvas);
    props.draw({
      ctx,
      width,
      height: props.height,
      color: v => styles.getPropertyValue(v).trim() || 'gray'
    });
    canvas.dataset.renderMs = (performance.now() - started).toFixed(2);
  }, [width, props.height, ...props.deps]);
  const pointer = (kind: 'down' | 'move' | 'up', e: React.PointerEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    props.onPointer?.(kind, e.clientX - box.left, e.clientY - box.top, box.width);
  };
  return (
    <canvas
      ref={ref}
      role="img"
      aria-label={props.label}
      className={props.className}
      onPointerDown={e => {
        e.currentTarget.setPointerCapture(e.pointerId);
        pointer('down', e);
      }}
      onPointerMove={e => e.buttons && pointer('move', e)}
      onPointerUp={e => pointer('up', e)}
    />
  );
}

/** ``text`` cut with an ellipsis to fit ``width`` pixels in the context's font. */
export function fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) {
    return text;
  }
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`${cut}…`).width > width) {
    cut = cut.slice(0, -1);
  }
  return `${cut}…`;
}
