import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ConversationView, PackView, WireError } from '../../../../server/src/wire/chat';
import type { ChatMessage } from '../../chat/messages';
import { ConfigController } from '../../controllers/config';
import { ConversationController } from '../../controllers/conversation';
import { GatewayController } from '../../controllers/gateway';
import { IdentityController } from '../../controllers/identity';
import { NoticeController } from '../../controllers/notices';
import { PurchaseController } from '../../controllers/purchase';
import { ViewportController } from '../../controllers/viewport';
import { pickLocale, translator, type Translate } from '../../i18n';
import { emit } from '../../lib/events';
import { hostCss } from '../../lib/theme';
import type { CommandName, CommandTarget } from '../../shared/commands';
import { adoptCss, canAdoptSheets, icons } from '../../shared/launcher';
import { load, openFlag, save } from '../../shared/storage';
import type { WidgetConfig } from '../../wire/config';
import { chatStyles } from './chat.styles';
import { renderPanel } from './panel';
import { icon, type PanelState, type View } from './views/shared';
import '../composer/composer';
import '../message/message';

/**
 * `<parley-chat>`: the launcher and the chat panel. Usually created by widget.js; it also works as a
 * plain element: `<parley-chat key="pk_…" api="https://parley.example/">`.
 *
 * @event parley:ready - configuration loaded
 * @event parley:open - the panel opened
 * @event parley:close - the panel closed
 * @event parley:message - a reply finished
 * @event parley:purchase - a pack was paid and its credits added
 * @event parley:low-balance - the balance fell below the tenant's threshold
 * @csspart launcher - the round button that opens the chat
 * @csspart panel - the chat window
 */
export class ParleyChat extends LitElement implements CommandTarget {
  static override styles = chatStyles;

  /** The tenant's publishable key (`pk_…`). */
  @property() key = '';
  /** Base URL of the Parley server, ending in `/`. */
  @property() api = '';
  /** Language (`en`, `de`, `fr`, `es`); otherwise the tenant's default, then the browser's. */
  @property() locale = '';
  /** `left` or `right`; otherwise the tenant's choice. */
  @property({ reflect: true }) position = '';
  /** `light`, `dark` or `auto`; otherwise the tenant's choice. */
  @property() mode = '';
  /** Whether the panel is open. */
  @property({ type: Boolean, reflect: true }) open = false;
  /** No launcher: the page opens the chat with `Parley('open')`. */
  @property({ type: Boolean, reflect: true, attribute: 'hide-launcher' }) hideLauncher = false;
  /** Brand colour (`#rrggbb`) until the tenant's configuration has loaded. */
  @property() brand = '';
  /** Stacking order of the launcher and panel. */
  @property({ attribute: 'z-index' }) zIndex = '';

  @state() private view: View = 'chat';
  @state() private personaId = '';
  @state() private modelId = '';
  @state() private announcement = '';
  @state() private conversations?: ConversationView[];

  private t: Translate = translator('en');
  private language = 'en';
  private tableFor = '';
  private focusOnOpen = true;
  /** Focus waits for the composer, which waits for the configuration. */
  private pendingFocus = false;
  private returnFocus: Element | null = null;
  private baseSheets: CSSStyleSheet[] = [];

  private readonly settings = new ConfigController(this, () => ({ api: this.api, key: this.key }), (config) => this.configLoaded(config));
  private readonly gateway = new GatewayController(this, { key: () => this.key, api: () => this.api, locale: () => this.language });
  private readonly conversation = new ConversationController(this, this.gateway, {
    key: () => this.key,
    personaId: () => this.state.persona?.id,
    modelId: () => this.state.model?.id,
    onReplyEnd: (message, conversationId) => this.replyEnded(message, conversationId),
    onError: (error) => this.notices.show(error),
    onPersona: (id) => (this.personaId = id || this.personaId),
  });
  private readonly purchases = new PurchaseController(this, this.gateway, (purchaseId, credits) =>
    emit(this, 'parley:purchase', { purchaseId, credits, balance: this.gateway.balance?.balance ?? null }),
  );
  private readonly notices = new NoticeController(this, (available, threshold) => emit(this, 'parley:low-balance', { available, threshold }));
  private readonly identity = new IdentityController(this, this.gateway, () => this.key, () => (this.conversations = undefined));

  constructor() {
    super();
    new ViewportController(this, () => this.renderRoot.querySelector<HTMLElement>('.panel'), () => this.open);
  }

  /** Runs a `Parley(...)` command forwarded by the loader. */
  command(name: CommandName, args: unknown[]): void {
    if (name === 'open') this.show((args[0] ?? {}) as { focus?: boolean });
    else if (name === 'close') this.hide();
    else if (name === 'toggle') this.toggle();
    else if (name === 'identify') this.identity.identify(args[0]);
    else if (name === 'logout') this.logout();
    else if (name === 'setLocale') this.locale = String(args[0] ?? '');
  }

  show(options: { focus?: boolean } = {}): void {
    if (this.open) return;
    this.focusOnOpen = options.focus !== false;
    this.returnFocus = document.activeElement;
    this.open = true;
  }

  hide(): void {
    this.open = false;
  }

  toggle(): void {
    if (this.open) this.hide();
    else this.show();
  }

  logout(): void {
    this.conversation.reset();
    this.purchases.reset();
    this.notices.dismiss();
    this.conversations = undefined;
    this.gateway.reset();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.personaId ||= load(this.key, 'persona') ?? '';
    this.modelId ||= load(this.key, 'model') ?? '';
  }

  /** Takes over the shadow root the loader drew its placeholder launcher in. */
  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    this.shadowRoot?.replaceChildren();
    const root = super.createRenderRoot() as ShadowRoot;
    this.baseSheets = canAdoptSheets ? [...root.adoptedStyleSheets] : [];
    this.applyLook();
    return root;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const config = this.settings.config;
    this.language = pickLocale([this.locale, config?.locale, ...navigator.languages]);
    const table = `${this.language}|${config ? 1 : 0}`;
    if (table !== this.tableFor) (this.tableFor = table), (this.t = translator(this.language, config?.strings, config?.locale ?? 'en'));
    if (changed.has('brand') || changed.has('zIndex')) this.applyLook();
    this.notices.check(this.gateway.balance, config?.lowBalanceThreshold ?? 0);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open') && (changed.get('open') !== undefined || this.open)) this.openChanged();
    if (this.pendingFocus && (this.settings.config || this.settings.error || this.gateway.fatal)) {
      this.pendingFocus = false;
      this.focusInside();
    }
    const body = this.renderRoot.querySelector('.body');
    if (body && this.view === 'chat' && body.scrollHeight - body.scrollTop - body.clientHeight < 120) {
      requestAnimationFrame(() => (body.scrollTop = body.scrollHeight));
    }
  }

  override render() {
    const t = this.t;
    const theme = this.settings.config?.theme;
    return html`${this.hideLauncher ? nothing : html`<button class="launcher" part="launcher" aria-expanded=${this.open} aria-label=${t(this.open ? 'closeChat' : 'openChat')} @click=${this.toggle}>
          ${icon(this.open ? 'close' : theme?.launcherIcon && icons[theme.launcherIcon] ? theme.launcherIcon : 'chat')}
        </button>`}
      ${this.open
        ? renderPanel({
            ctx: { t, locale: this.language, go: (view) => this.go(view) },
            state: this.state,
            mode: this.mode || theme?.mode || 'auto',
            title: theme?.title || this.state.persona?.name || t('chat'),
            view: this.view,
            fatal: this.gateway.fatal ?? this.settings.error,
            ready: !!this.settings.config,
            gateway: this.gateway,
            conversation: this.conversation,
            purchases: this.purchases,
            notices: this.notices,
            outOfCredits: this.notices.outOfCredits(this.gateway.balance),
            conversations: this.conversations,
            actions: {
              close: () => this.hide(),
              keydown: (event: KeyboardEvent) => event.key === 'Escape' && this.hide(),
              send: (text: string) => (this.notices.dismiss(), this.conversation.send(text)),
              stop: () => void this.conversation.stop(),
              retry: (message?: ChatMessage) => this.retry(message),
              buy: (pack: PackView) => ((this.view = 'shop'), void this.purchases.buy(pack)),
              pickPersona: (id: string) => this.pickPersona(id),
              pickModel: (id: string) => ((this.modelId = id), save(this.key, 'model', id), this.go('chat')),
              openConversation: (id: string) => void this.conversation.open(id).then(() => this.go('chat'), (e: { wire?: WireError }) => e.wire && this.notices.show(e.wire)),
              startNew: () => (this.conversation.startNew(), this.go(this.state.personas.length > 1 ? 'personas' : 'chat')),
            },
          })
        : nothing}
      <div class="sr" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
  }

  private get state(): PanelState {
    const config = this.settings.config;
    const personas = config?.personas ?? [];
    const persona = personas.find((p) => p.id === this.personaId) ?? personas[0];
    const models = config?.models ?? [];
    const model = models.find((m) => m.id === this.modelId) ?? models.find((m) => m.id === persona?.modelId) ?? models[0];
    return { persona, personas, model, models, packs: config?.packs ?? [], balance: this.gateway.balance };
  }

  private openChanged(): void {
    openFlag(this.key, this.open);
    if (this.open) {
      this.gateway.connect();
      emit(this, 'parley:open', {});
      this.pendingFocus = this.focusOnOpen;
    } else {
      emit(this, 'parley:close', {});
      this.view = 'chat';
      // Focus goes back where it came from: the launcher, or what the page had focused.
      const target = this.hideLauncher ? this.returnFocus : this.renderRoot.querySelector('.launcher');
      if (target instanceof HTMLElement) target.focus();
    }
  }

  private focusInside(): void {
    const root = this.renderRoot;
    const target = root.querySelector<HTMLElement>('.focus-target') ?? root.querySelector('parley-composer') ?? root.querySelector<HTMLElement>('.panel button');
    target?.focus();
  }

  private go(view: View): void {
    this.view = view;
    if (view === 'conversations') void this.conversation.list().then((list) => (this.conversations = list), () => (this.conversations = []));
    if (view === 'history') void this.purchases.loadHistory().catch(() => undefined);
    void this.updateComplete.then(() => this.focusInside());
  }

  private pickPersona(id: string): void {
    if (id !== this.state.persona?.id) this.conversation.startNew();
    this.personaId = id;
    save(this.key, 'persona', id);
    this.go('chat');
  }

  private retry(message?: ChatMessage): void {
    const target = message ?? [...this.conversation.messages].reverse().find((m) => m.status === 'unsent' || m.status === 'failed');
    this.notices.dismiss();
    if (target) this.conversation.retry(target);
  }

  private replyEnded(message: ChatMessage, conversationId: string): void {
    const name = this.state.persona?.name ?? '';
    if (message.status === 'done' || message.status === 'stopped') {
      // Only the finished reply is announced, never each chunk; clearing first re-announces equal text.
      this.announcement = '';
      requestAnimationFrame(() => (this.announcement = this.t('replied', { name, text: message.text.slice(0, 1000) })));
    }
    emit(this, 'parley:message', { conversationId, messageId: message.id ?? '', text: message.text, status: message.status, charged: message.charged });
  }

  private configLoaded(config: WidgetConfig): void {
    const theme = config.theme;
    if (!this.position) this.position = theme.position;
    this.applyLook();
    save(this.key, 'theme', JSON.stringify({ brand: theme.brandColor, position: theme.position, icon: theme.launcherIcon }));
    void this.updateComplete.then(() => emit(this, 'parley:ready', { locale: this.language }));
  }

  private applyLook(): void {
    const root = this.shadowRoot;
    if (root) adoptCss(root, hostCss({ brand: this.brand, zIndex: this.zIndex }, this.settings.config?.theme), this.baseSheets);
  }
}
