// The workbench layout: the docks beside the map (left: layers and legend; right: the tools), the
// bottom tools and, on a phone, the bottom sheet. Each part marks its element (`use:dockPart`); their
// measured boxes give the map the part of it nobody covers, for fitting and flying (`fitPadding`),
// for the identify popup and for the controls that must stay visible (scale bar, attribution: the
// CSS variables --zs-dock-left/--zs-dock-right/--zs-dock-bottom on the document).
/** px from each edge of the map (what MapLibre's `padding` options take) */
export type Edges = { top: number; right: number; bottom: number; left: number };

export type DockPart = 'left' | 'right' | 'bottom' | 'sheet';

/** a window at most this wide gets the phone view (bottom sheet, viewing only) */
export const PHONE_MAX_WIDTH = 480;
/** room kept around a feature that is fitted into the visible map */
const FIT_MARGIN = 40;

const phoneQuery = typeof window !== 'undefined' ? window.matchMedia(`(max-width: ${PHONE_MAX_WIDTH}px)`) : null;

export const layout = $state({
  /** the docks are open (their collapse buttons) */
  leftOpen: true,
  rightOpen: true,
  phone: phoneQuery?.matches ?? false,
  /** the phone's bottom sheet: the tab shown, and whether it is pulled up */
  sheetTab: 'layers' as 'layers' | 'legend' | 'identify' | 'progress',
  sheetOpen: false,
});
phoneQuery?.addEventListener('change', (e) => (layout.phone = e.matches));

/** the parts shown (measured when asked: a panel opened a moment ago counts at once) */
const parts: Record<DockPart, HTMLElement | null> = { left: null, right: null, bottom: null, sheet: null };

function boxOf(part: DockPart): DOMRect | null {
  const r = parts[part]?.getBoundingClientRect();
  return r && r.width > 0 && r.height > 0 ? r : null;
}

function publish(): void {
  const root = document.documentElement.style;
  const left = boxOf('left');
  const right = boxOf('right');
  const sheet = boxOf('sheet');
  root.setProperty('--zs-dock-left', `${Math.round(left?.right ?? 0)}px`);
  root.setProperty('--zs-dock-right', `${Math.round(right ? window.innerWidth - right.left : 0)}px`);
  root.setProperty('--zs-dock-bottom', `${Math.round(sheet ? window.innerHeight - sheet.top : 0)}px`);
}

/** Svelte action: this element is the given part of the layout while it is shown. */
export function dockPart(el: HTMLElement, part: DockPart): { destroy(): void } {
  parts[part] = el;
  const observer = new ResizeObserver(publish);
  observer.observe(el);
  window.addEventListener('resize', publish);
  publish();
  return {
    destroy() {
      observer.disconnect();
      window.removeEventListener('resize', publish);
      if (parts[part] === el) parts[part] = null;
      publish();
    },
  };
}

/**
 * The map container's edges that the docks, the bottom tools and the sheet cover, in px: what
 * MapLibre's padding options take. A part counts on the side it stands on, as far into the map as it
 * reaches; `margin` is added on every side.
 */
export function coveredEdges(container: HTMLElement, margin = 0): Edges {
  const map = container.getBoundingClientRect();
  const into = (v: number) => Math.max(0, Math.round(v));
  const [left, right, bottom, sheet] = (['left', 'right', 'bottom', 'sheet'] as const).map(boxOf);
  const fromBottom = Math.max(bottom ? map.bottom - bottom.top : 0, sheet ? map.bottom - sheet.top : 0);
  return {
    top: margin,
    left: into(left ? left.right - map.left : 0) + margin,
    right: into(right ? map.right - right.left : 0) + margin,
    bottom: into(fromBottom) + margin,
  };
}

/** The padding that fits a box into the part of the map left visible, with room around it. */
export const fitPadding = (container: HTMLElement): Edges => {
  const p = coveredEdges(container, FIT_MARGIN);
  // a map narrower than its docks (a small window): fit into the whole map rather than into nothing
  const r = container.getBoundingClientRect();
  if (r.width - p.left - p.right < 120 || r.height - p.top - p.bottom < 120) return { top: 20, left: 20, right: 20, bottom: 20 };
  return p;
};

/** the phone sheet's place for the identify result (there is no popup on a phone) */
let identifySlot: HTMLElement | null = null;

/** Svelte action: identify results go here rather than into a popup over the map. */
export function identifyHere(el: HTMLElement): { destroy(): void } {
  identifySlot = el;
  return {
    destroy() {
      if (identifySlot === el) identifySlot = null;
    },
  };
}

/** Where an identify result goes: the phone sheet's slot (which the sheet then shows), or null for a popup. */
export function identifySlotShown(): HTMLElement | null {
  if (!identifySlot) return null;
  layout.sheetTab = 'identify';
  layout.sheetOpen = true;
  return identifySlot;
}
