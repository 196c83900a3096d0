import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConversationView, MessageView, WireError } from '../../../server/src/wire/chat';
import { applyChunk, endReply, mergeSnapshot, startReply, type ChatMessage } from '../chat/messages';
import { newClientId } from '../lib/ids';
import { load, save } from '../shared/storage';
import { GatewayError, type GatewayController } from './gateway';

/** A message the visitor wrote that the server has not acknowledged yet; kept across reloads. */
interface OutboxItem {
  clientMessageId: string;
  text: string;
  personaId: string;
  modelId?: string;
}

export interface ConversationOptions {
  key: () => string;
  personaId: () => string | undefined;
  modelId: () => string | undefined;
  /** A reply finished (done, stopped or failed): announce it and tell the page. */
  onReplyEnd: (message: ChatMessage, conversationId: string) => void;
  /** The server refused something: show the matching error state. */
  onError: (error: WireError) => void;
  /** A loaded conversation belongs to this persona. */
  onPersona: (personaId: string) => void;
}

const transient = (err: unknown) => err instanceof GatewayError && (err.wire.code === 'offline' || err.wire.code === 'timeout');

/**
 * The current conversation: sending through an outbox (same client message id on every retry, so
 * the server's idempotency makes retries safe), live chunks deduplicated by seq, and `sync` after a
 * gap, a reconnect or a quiet spell, so a reply is neither lost nor repeated.
 */
export class ConversationController implements ReactiveController {
  messages: ChatMessage[] = [];
  conversationId?: string;
  private outbox: OutboxItem[] = [];
  private restored = false;
  private loaded = false;
  private chain: Promise<void> = Promise.resolve();
  private syncTimer?: ReturnType<typeof setTimeout>;
  private lastChunkAt = 0;
  private watchdog?: ReturnType<typeof setInterval>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly gateway: GatewayController,
    private readonly options: ConversationOptions,
  ) {
    host.addController(this);
    gateway.onSession(() => void this.resume());
    gateway.on('message:start', (start) => {
      const ours = this.messages.some((m) => m.clientMessageId === start.clientMessageId);
      if (start.conversationId !== this.conversationId && !ours) return;
      this.setConversation(start.conversationId);
      this.update(startReply(this.messages, start));
    });
    gateway.on('message:chunk', (chunk) => {
      if (chunk.conversationId !== this.conversationId) return;
      this.lastChunkAt = Date.now();
      const result = applyChunk(this.messages, chunk);
      if (result === 'applied') this.host.requestUpdate();
      else if (result !== 'duplicate') this.scheduleSync();
    });
    gateway.on('message:end', (end) => {
      if (end.conversationId !== this.conversationId) return;
      if (endReply(this.messages, end)) return this.scheduleSync();
      const message = this.messages.find((m) => m.id === end.messageId);
      if (message) this.options.onReplyEnd(message, end.conversationId);
      if (end.error) this.options.onError(end.error);
      this.host.requestUpdate();
    });
  }

  hostConnected(): void {
    // Back online with the socket still up (no new session): send what waited.
    addEventListener('online', this.flushOutbox);
    // Attributes (and so the key) are only known once the element is connected, not in the constructor.
    if (!this.restored) this.restore();
    // Events can be missed (another process, a dropped frame): a streaming reply that goes quiet is re-synced.
    this.watchdog = setInterval(() => {
      if (this.streaming && this.gateway.connected && Date.now() - this.lastChunkAt > 4000) void this.sync();
    }, 2000);
  }

  hostDisconnected(): void {
    clearInterval(this.watchdog);
    removeEventListener('online', this.flushOutbox);
  }

  private readonly flushOutbox = (): void => {
    for (const item of this.outbox) this.enqueue(item);
  };

  /** Forgets the conversation and the outbox (logout). */
  reset(): void {
    this.outbox = [];
    this.saveOutbox();
    this.setConversation(undefined);
    this.update([]);
  }

  private restore(): void {
    this.restored = true;
    this.conversationId = load(this.options.key(), 'conversation') ?? undefined;
    this.outbox = parseOutbox(load(this.options.key(), 'outbox'));
    this.messages = this.outbox.map((item) => ({ clientMessageId: item.clientMessageId, role: 'user', text: item.text, status: 'pending', seq: 0, charged: null }));
  }

  get streaming(): ChatMessage | undefined {
    return this.messages.find((m) => m.role === 'assistant' && m.status === 'streaming');
  }

  send(text: string): void {
    const personaId = this.options.personaId();
    if (!personaId) return;
    const item: OutboxItem = { clientMessageId: newClientId(), text, personaId, modelId: this.options.modelId() };
    this.outbox.push(item);
    this.saveOutbox();
    this.update([...this.messages, { clientMessageId: item.clientMessageId, role: 'user', text, status: 'pending', seq: 0, charged: null }]);
    this.gateway.connect();
    this.enqueue(item);
  }

  /** Sends a refused message again, as a new message (a new id: the old one already has its answer). */
  retry(message: ChatMessage): void {
    const source = message.role === 'user' ? message : this.messages.find((m) => m.role === 'user' && m.clientMessageId === message.clientMessageId);
    if (!source) return;
    this.update(this.messages.filter((m) => m !== message && m !== source));
    this.send(source.text);
  }

  async stop(): Promise<void> {
    const reply = this.streaming;
    if (reply?.id) await this.gateway.request('message:stop', { messageId: reply.id }).catch(() => undefined);
  }

  async open(conversationId: string): Promise<void> {
    const { conversation, messages } = await this.gateway.request('conversation:load', { conversationId });
    this.setConversation(conversation.id);
    this.loaded = true;
    this.update(mergeSnapshot(this.messages.filter((m) => m.status === 'pending'), messages));
    this.options.onPersona(conversation.personaId);
  }

  startNew(): void {
    this.setConversation(undefined);
    this.update(this.messages.filter((m) => m.status === 'pending'));
  }

  async list(): Promise<ConversationView[]> {
    return (await this.gateway.request('conversations:list', { limit: 30 })).conversations;
  }

  /** After every (re)connect: catch up on the conversation, then send what waited in the outbox. */
  private async resume(): Promise<void> {
    try {
      if (this.conversationId && !this.loaded) await this.open(this.conversationId);
      else if (this.conversationId) await this.sync();
    } catch (err) {
      if (err instanceof GatewayError && err.wire.code === 'not_found') this.startNew();
    }
    this.flushOutbox();
  }

  private enqueue(item: OutboxItem): void {
    this.chain = this.chain.then(() => this.deliver(item));
  }

  private async deliver(item: OutboxItem): Promise<void> {
    // Offline, a send would sit in a dead socket until its ack times out: wait for `online` or a new session.
    if (!this.outbox.includes(item) || !this.gateway.connected || !navigator.onLine) return;
    const { clientMessageId, text, personaId, modelId } = item;
    try {
      const ack = await this.gateway.request('message:send', { clientMessageId, text, personaId, modelId, conversationId: this.conversationId });
      this.setConversation(ack.conversationId);
      const sent = this.messages.find((m) => m.role === 'user' && m.clientMessageId === clientMessageId);
      if (sent) Object.assign(sent, { id: ack.userMessageId, status: 'sent' });
      if (!this.messages.some((m) => m.id === ack.messageId)) {
        const start = { ...ack, clientMessageId, modelId: '', personaId };
        this.update(startReply(this.messages, start));
      }
      this.dropFromOutbox(item);
    } catch (err) {
      if (transient(err)) return; // stays in the outbox; the next session sends it with the same id
      this.dropFromOutbox(item);
      const wire = (err as GatewayError).wire as WireError;
      const sent = this.messages.find((m) => m.role === 'user' && m.clientMessageId === clientMessageId);
      if (sent) Object.assign(sent, { status: 'unsent', error: wire.code });
      this.options.onError(wire);
    }
    this.host.requestUpdate();
  }

  private scheduleSync(): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => void this.sync(), 150);
  }

  private async sync(): Promise<void> {
    const conversationId = this.conversationId;
    if (!conversationId) return;
    const afterSeq = this.streaming?.seq ?? 0;
    let views: MessageView[];
    try {
      views = (await this.gateway.request('sync', { conversationId, afterSeq })).messages;
    } catch {
      return;
    }
    if (conversationId !== this.conversationId) return;
    const streamingBefore = new Set(this.messages.filter((m) => m.status === 'streaming').map((m) => m.id));
    this.update(mergeSnapshot(this.messages, views));
    for (const message of this.messages) {
      if (message.id && streamingBefore.has(message.id) && message.status !== 'streaming') this.options.onReplyEnd(message, conversationId);
    }
  }

  private setConversation(id: string | undefined): void {
    if (id === this.conversationId) return;
    this.conversationId = id;
    this.loaded = !!id;
    save(this.options.key(), 'conversation', id ?? null);
  }

  private dropFromOutbox(item: OutboxItem): void {
    this.outbox = this.outbox.filter((i) => i !== item);
    this.saveOutbox();
  }

  private saveOutbox(): void {
    save(this.options.key(), 'outbox', this.outbox.length ? JSON.stringify(this.outbox) : null);
  }

  private update(messages: ChatMessage[]): void {
    this.messages = messages;
    this.host.requestUpdate();
  }
}

function parseOutbox(raw: string | null): OutboxItem[] {
  try {
    const value: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(value) ? value.filter((i): i is OutboxItem => typeof i?.clientMessageId === 'string' && typeof i.text === 'string' && typeof i.personaId === 'string') : [];
  } catch {
    return [];
  }
}
