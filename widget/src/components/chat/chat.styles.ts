import { css, unsafeCSS } from 'lit';
import { launcherCss } from '../../shared/launcher';
import { viewStyles } from './views/views.styles';

/** The dark look's colours, each contrast-checked for WCAG AA against its background. */
const dark = css`
  --_bg: var(--parley-bg, #111827);
  --_fg: var(--parley-fg, #f3f4f6);
  --_muted: var(--parley-muted, #9ca3af);
  --_surface: var(--parley-surface, #1f2937);
  --_border: var(--parley-border, #6b7280);
  --_danger: var(--parley-danger, #fca5a5);
  --_focus: var(--parley-focus, #93c5fd);
`;

export const chatStyles = [
  // Our own constant (shared with the loader), not tenant input.
  unsafeCSS(launcherCss),
  css`
    :host {
      --_bg: var(--parley-bg, var(--_tenant-bg, #ffffff));
      --_fg: var(--parley-fg, var(--_tenant-fg, #111827));
      --_muted: var(--parley-muted, #4b5563);
      --_surface: var(--parley-surface, #f3f4f6);
      --_border: var(--parley-border, #6b7280);
      --_danger: var(--parley-danger, #b91c1c);
      --_focus: var(--parley-focus, #1d4ed8);
      --_radius: var(--parley-radius, var(--_tenant-radius, 14px));
    }
    .panel.dark {
      ${dark}
    }
    @media (prefers-color-scheme: dark) {
      .panel.auto {
        ${dark}
      }
    }
    .panel {
      position: fixed;
      z-index: var(--parley-z-index, 2147483000);
      bottom: calc(var(--parley-offset-y, 20px) + 68px);
      right: var(--parley-offset-x, 20px);
      box-sizing: border-box;
      width: var(--parley-panel-width, 380px);
      height: var(--parley-panel-height, 600px);
      max-width: calc(100vw - 32px);
      max-height: calc(100vh - 110px);
      display: flex;
      flex-direction: column;
      overflow: hidden;
      background: var(--_bg);
      color: var(--_fg);
      font: 15px/1.45 var(--parley-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
      text-align: start;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      box-shadow: 0 12px 40px rgba(0, 0, 0, 0.28);
      animation: rise 0.18s ease-out;
    }
    :host([position='left']) .panel {
      right: auto;
      left: var(--parley-offset-x, 20px);
    }
    @keyframes rise {
      from {
        opacity: 0;
        transform: translateY(8px);
      }
    }
    @media (max-width: 640px) {
      .panel {
        inset: var(--_vvt, 0px) 0 auto 0;
        width: 100%;
        height: var(--_vvh, 100%);
        max-width: none;
        max-height: none;
        border: 0;
        border-radius: 0;
      }
      :host([open]) .launcher {
        display: none;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .panel {
        animation: none;
      }
      .body {
        scroll-behavior: auto;
      }
    }
    header {
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 10px 8px 10px 12px;
      background: var(--parley-brand, #1d4ed8);
      color: var(--parley-on-brand, #fff);
    }
    .avatar {
      position: relative;
      flex: none;
      width: 34px;
      height: 34px;
      border-radius: 50%;
      overflow: hidden;
      display: grid;
      place-items: center;
      font-weight: 700;
      background: rgba(127, 127, 127, 0.35);
    }
    .avatar img {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      object-fit: cover;
    }
    .who {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
      align-items: flex-start;
    }
    .title,
    .sub {
      margin: 0;
      padding: 0;
      font: inherit;
      font-weight: 700;
      color: inherit;
      background: none;
      border: 0;
      text-align: start;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      max-width: 100%;
    }
    .sub {
      font-weight: 400;
      font-size: 13px;
    }
    button.title,
    button.sub {
      cursor: pointer;
    }
    .pill {
      flex: none;
      font: inherit;
      font-size: 13px;
      font-weight: 600;
      padding: 4px 10px;
      border-radius: 999px;
      border: 1px solid currentColor;
      background: transparent;
      color: inherit;
      cursor: pointer;
      white-space: nowrap;
    }
    .pill.low {
      border-style: dashed;
    }
    .icon {
      flex: none;
      width: 36px;
      height: 36px;
      display: grid;
      place-items: center;
      padding: 0;
      border: 0;
      border-radius: 8px;
      background: transparent;
      color: inherit;
      cursor: pointer;
    }
    .icon svg {
      width: 22px;
      height: 22px;
      fill: currentColor;
    }
    header :focus-visible {
      outline: 2px solid currentColor;
      outline-offset: 1px;
    }
    .body {
      flex: 1;
      overflow-y: auto;
      overscroll-behavior: contain;
      padding: 14px 12px;
      scroll-behavior: smooth;
    }
    .body :focus-visible {
      outline: 2px solid var(--_focus);
      outline-offset: 2px;
    }
    .sr {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `,
  viewStyles,
];
