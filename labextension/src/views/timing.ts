// How long a view took to draw, kept on its element for the browser tests and benchmarks.
import * as React from 'react';

/** A ref whose element gets ``data-render-ms``: from the start of this render (data in
 * hand, before any layout computed in it) to the DOM committed and laid out. */
export function useRenderTime<T extends HTMLElement>(): React.RefObject<T> {
  const started = performance.now();
  const ref = React.useRef<T>(null);
  React.useLayoutEffect(() => {
    const element = ref.current;
    if (element) {
      void element.getBoundingClientRect(); // forces the layout
      element.dataset.renderMs = (performance.now() - started).toFixed(2);
    }
  });
  return ref;
}
