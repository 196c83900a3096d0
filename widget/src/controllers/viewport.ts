import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Phones: below 640 px the panel fills the screen. iOS does not shrink fixed elements for the
 * on-screen keyboard, so the panel follows `visualViewport` (its height and offset) and the
 * composer stays above the keyboard. The page behind stops scrolling while the panel covers it.
 */
export class ViewportController implements ReactiveController {
  private readonly narrow = matchMedia('(max-width: 640px)');
  private savedOverflow?: string;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly panel: () => HTMLElement | null | undefined,
    private readonly isOpen: () => boolean,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.narrow.addEventListener('change', this.fit);
    visualViewport?.addEventListener('resize', this.fit);
    visualViewport?.addEventListener('scroll', this.fit);
  }

  hostDisconnected(): void {
    this.narrow.removeEventListener('change', this.fit);
    visualViewport?.removeEventListener('resize', this.fit);
    visualViewport?.removeEventListener('scroll', this.fit);
    this.lockPage(false);
  }

  hostUpdated(): void {
    this.fit();
  }

  private readonly fit = (): void => {
    const panel = this.panel();
    const full = this.narrow.matches && this.isOpen();
    this.lockPage(full);
    if (!panel) return;
    const vv = visualViewport;
    // CSSOM custom properties: no style attribute is parsed, so a strict style-src allows it.
    if (full && vv) {
      panel.style.setProperty('--_vvh', `${vv.height}px`);
      panel.style.setProperty('--_vvt', `${vv.offsetTop}px`);
    } else {
      panel.style.removeProperty('--_vvh');
      panel.style.removeProperty('--_vvt');
    }
  };

  private lockPage(lock: boolean): void {
    const root = document.documentElement.style;
    if (lock && this.savedOverflow === undefined) {
      this.savedOverflow = root.overflow;
      root.overflow = 'hidden';
    } else if (!lock && this.savedOverflow !== undefined) {
      root.overflow = this.savedOverflow;
      this.savedOverflow = undefined;
    }
  }
}
