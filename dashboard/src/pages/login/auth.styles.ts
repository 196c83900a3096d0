import { css } from 'lit';

/** The narrow card the sign-in pages share. */
export const authStyles = css`
  :host { width: min(420px, 100%); }
  .card { padding: 28px; }
  .brand { font-weight: 800; font-size: 1.4rem; margin-bottom: 16px; }
  button.primary { width: 100%; justify-content: center; }
  .alt { margin-top: 16px; color: var(--parley-muted); }
`;
