import { css } from 'lit';

export const appStyles = css`
  :host { display: block; min-height: 100vh; font-family: var(--parley-font); color: var(--parley-text); }
  * { box-sizing: border-box; }
  .skip { position: absolute; left: -999px; top: 8px; background: var(--parley-surface); padding: 8px 12px; border-radius: 6px; z-index: 10; }
  .skip:focus { left: 8px; }
  .layout { display: grid; grid-template-columns: 240px minmax(0, 1fr); min-height: 100vh; }
  aside { background: var(--parley-surface); border-right: 1px solid var(--parley-border); padding: 16px 12px; display: flex; flex-direction: column; gap: 16px; }
  .brand { font-weight: 800; font-size: 1.15rem; padding: 4px 10px; display: flex; align-items: center; justify-content: space-between; }
  nav { display: grid; gap: 2px; }
  nav a { color: var(--parley-text); text-decoration: none; padding: 8px 10px; border-radius: 6px; }
  nav a:hover { background: var(--parley-bg); }
  nav a[aria-current='page'] { background: var(--parley-accent-soft); color: var(--parley-accent); font-weight: 600; }
  nav a:focus-visible, button:focus-visible, select:focus-visible { outline: none; box-shadow: var(--parley-focus); }
  .workspace { display: grid; gap: 4px; padding: 0 4px; }
  .workspace label { font-size: 0.8rem; color: var(--parley-muted); }
  select, button { font: inherit; border: 1px solid var(--parley-border); border-radius: 6px; padding: 6px 8px; background: var(--parley-surface); color: inherit; }
  button { cursor: pointer; }
  .account { margin-top: auto; font-size: 0.9rem; padding: 0 4px; display: grid; gap: 6px; }
  .live { font-size: 0.8rem; color: var(--parley-muted); }
  .live .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--parley-border); margin-right: 4px; }
  .live.on .dot { background: var(--parley-success); }
  main { padding: 28px 32px; max-width: 1200px; width: 100%; min-width: 0; }
  .menu-toggle { display: none; }
  .center { min-height: 100vh; display: grid; place-items: center; padding: 24px; }

  /* Tablets and narrow windows: the menu folds into a button above the page. */
  @media (max-width: 900px) {
    /* auto 1fr: a short page must not stretch the folded menu bar to fill the window. */
    .layout { grid-template-columns: 1fr; grid-template-rows: auto 1fr; }
    aside { border-right: 0; border-bottom: 1px solid var(--parley-border); padding: 12px; }
    .menu-toggle { display: inline-block; }
    aside:not(.open) nav, aside:not(.open) .workspace, aside:not(.open) .account { display: none; }
    main { padding: 20px 16px; }
  }
`;
