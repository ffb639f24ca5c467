// Pan (drag) and zoom (wheel) of an SVG through its viewBox, for the lineage graph.
import * as React from 'react';

type Box = { x: number; y: number; w: number; h: number };

/** Pan and zoom of an SVG through its viewBox; a drag is not a click. */
export function usePanZoom(fit: Box): {
  ref: React.RefObject<SVGSVGElement>;
  box: Box;
  reset: () => void;
  dragged: () => boolean;
  onPointerDown: (e: React.PointerEvent) => void;
} {
  const ref = React.useRef<SVGSVGElement>(null);
  const [box, setBox] = React.useState(fit);
  const moved = React.useRef(0);
  const key = `${fit.w}x${fit.h}`;
  React.useEffect(() => setBox(fit), [key]);
  const scale = (b: Box) => {
    const rect = ref.current!.getBoundingClientRect();
    return Math.max(b.w / Math.max(1, rect.width), b.h / Math.max(1, rect.height));
  };
  React.useEffect(() => {
    const svg = ref.current;
    if (!svg) {
      return;
    }
    const wheel = (e: WheelEvent) => {
      e.preventDefault(); // zoom, not scroll the page
      const point = svg.createSVGPoint();
      point.x = e.clientX;
      point.y = e.clientY;
      const at = point.matrixTransform(svg.getScreenCTM()!.inverse());
      const factor = Math.pow(1.0015, e.deltaY);
      setBox(b => ({
        x: at.x - (at.x - b.x) * factor,
        y: at.y - (at.y - b.y) * factor,
        w: b.w * factor,
        h: b.h * factor
      }));
    };
    svg.addEventListener('wheel', wheel, { passive: false });
    return () => svg.removeEventListener('wheel', wheel);
  }, [ref.current]);
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0) {
      return;
    }
    const start = { x: e.clientX, y: e.clientY, box };
    const k = scale(box);
    moved.current = 0;
    const move = (m: PointerEvent) => {
      const dx = m.clientX - start.x;
      const dy = m.clientY - start.y;
      moved.current = Math.max(moved.current, Math.abs(dx) + Math.abs(dy));
      if (moved.current > 4) {
        setBox({ ...start.box, x: start.box.x - dx * k, y: start.box.y - dy * k });
      }
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return { ref, box, reset: () => setBox(fit), dragged: () => moved.current > 4, onPointerDown };
}
