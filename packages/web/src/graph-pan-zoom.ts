/**
 * Zoom and pan of one SVG drawing: the wheel zooms around the pointer, a drag pans, and the page's
 * buttons call `zoomBy`, `fit` and `centreOn`. The transform lives here and is written straight to
 * the drawing's `transform` attribute: a React state per wheel tick would re-render 500+ nodes.
 */

/** A box in drawing coordinates. */
export interface DrawingBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const MIN_SCALE = 0.05;
const MAX_SCALE = 4;
// Pointer travel (px) below which a press-and-release is still a click on a node, not a pan.
const DRAG_THRESHOLD = 4;

/**
 * Attaches zoom and pan to `svg`, moving `drawing` (a `<g>` inside it).
 *
 * @example
 * ```ts
 * const panZoom = new PanZoom(svgElement, drawingGroup);
 * panZoom.fit({ x: 0, y: 0, width: 2000, height: 900 });
 * // later, when the page goes away:
 * panZoom.detach();
 * ```
 */
export class PanZoom {
  #x = 0;
  #y = 0;
  #scale = 1;
  #press: { pointerId: number; startX: number; startY: number; x: number; y: number; dragging: boolean } | undefined;
  #suppressClick = false;
  readonly #detachers: Array<() => void> = [];

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly drawing: SVGGElement,
  ) {
    this.#listen('wheel', (event: WheelEvent) => {
      // Not passive: the page must not scroll while the graph zooms.
      event.preventDefault();
      const { left, top } = this.svg.getBoundingClientRect();
      this.zoomBy(Math.exp(-event.deltaY * 0.0015), { x: event.clientX - left, y: event.clientY - top });
    });
    this.#listen('pointerdown', (event: PointerEvent) => {
      if (event.button !== 0) return;
      this.#press = { pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, x: this.#x, y: this.#y, dragging: false };
    });
    this.#listen('pointermove', (event: PointerEvent) => {
      const press = this.#press;
      if (!press || press.pointerId !== event.pointerId) return;
      const dx = event.clientX - press.startX;
      const dy = event.clientY - press.startY;
      if (!press.dragging && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
      if (!press.dragging) {
        // Captured only once it is a drag: a capture from the press would take the click from the node.
        press.dragging = true;
        this.svg.setPointerCapture(event.pointerId);
        this.svg.classList.add('panning');
      }
      this.#x = press.x + dx;
      this.#y = press.y + dy;
      this.#apply();
    });
    const release = (event: PointerEvent) => {
      if (this.#press?.pointerId !== event.pointerId) return;
      this.#suppressClick = this.#press.dragging;
      this.#press = undefined;
      this.svg.classList.remove('panning');
    };
    this.#listen('pointerup', release);
    this.#listen('pointercancel', release);
    // A drag that ends on a node must not follow its link.
    this.#listen(
      'click',
      (event: MouseEvent) => {
        if (!this.#suppressClick) return;
        this.#suppressClick = false;
        event.preventDefault();
        event.stopPropagation();
      },
      true,
    );
  }

  /** The current scale (1 = one drawing unit per pixel). */
  get scale(): number {
    return this.#scale;
  }

  /** Zooms by `factor` around `at` (pixels in the SVG; its centre by default). */
  zoomBy(factor: number, at: { x: number; y: number } = this.#centre()): void {
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.#scale * factor));
    const applied = scale / this.#scale;
    this.#x = at.x - (at.x - this.#x) * applied;
    this.#y = at.y - (at.y - this.#y) * applied;
    this.#scale = scale;
    this.#apply();
  }

  /** Shows the whole `box`, never magnified beyond 1. */
  fit(box: DrawingBox): void {
    const { width, height } = this.#size();
    const scale = Math.min(1, Math.max(MIN_SCALE, Math.min(width / Math.max(box.width, 1), height / Math.max(box.height, 1))));
    this.#scale = scale;
    this.#x = (width - box.width * scale) / 2 - box.x * scale;
    this.#y = (height - box.height * scale) / 2 - box.y * scale;
    this.#apply();
  }

  /** Puts `box` in the middle of the view, at a scale where its label is readable. */
  centreOn(box: DrawingBox, minScale = 1): void {
    const { width, height } = this.#size();
    this.#scale = Math.max(this.#scale, minScale);
    this.#x = width / 2 - (box.x + box.width / 2) * this.#scale;
    this.#y = height / 2 - (box.y + box.height / 2) * this.#scale;
    this.#apply();
  }

  /** Removes every listener. */
  detach(): void {
    for (const detach of this.#detachers.splice(0)) detach();
  }

  #listen<E extends Event>(type: string, handler: (event: E) => void, capture = false): void {
    const listener = handler as EventListener;
    this.svg.addEventListener(type, listener, { passive: false, capture });
    this.#detachers.push(() => this.svg.removeEventListener(type, listener, { capture }));
  }

  #size(): { width: number; height: number } {
    return { width: this.svg.clientWidth, height: this.svg.clientHeight };
  }

  #centre(): { x: number; y: number } {
    const { width, height } = this.#size();
    return { x: width / 2, y: height / 2 };
  }

  #apply(): void {
    this.drawing.setAttribute('transform', `translate(${this.#x.toFixed(1)},${this.#y.toFixed(1)}) scale(${this.#scale.toFixed(4)})`);
    this.svg.dataset.scale = this.#scale.toFixed(3);
  }
}
