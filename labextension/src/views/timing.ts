// How long a view took to draw, kept on its element for the browser tests and benchmarks.
import * as React from 'react';

/** A ref whose element gets ``data-render-ms``: from the start of the render that first
 * shows ``content`` (data in hand, before any layout computed in it) to the DOM committed
 * and laid out. A render of the same content again (a poll) leaves the figure. */
export function useRenderTime<T extends HTMLElement>(content: string): React.RefObject<T> {
  const started = performance.now();
  const ref = React.useRef<T>(null);
  const timed = React.useRef<string>();
  React.useLayoutEffect(() => {
    const element = ref.current;
    if (element && timed.current !== content) {
      timed.current = content;
      void element.getBoundingClientRect(); // forces the layout
      element.dataset.renderMs = (performance.now() - started).toFixed(2);
    }
  });
  return ref;
}
