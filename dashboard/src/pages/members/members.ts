import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CreatedInvite, Invite, Member, Role } from '../../../../server/src/wire/dashboard';
import { confirmAction } from '../../components/confirm/confirm';
import { field } from '../../components/field/field';
import { Resource } from '../../controllers/resource';
import type { ApiError } from '../../lib/api';
import type { DashboardContext } from '../../lib/context';
import { emit, toast } from '../../lib/events';
import { dateTime } from '../../lib/format';
import { loaded, pageHeader } from '../../lib/page';
import { sharedStyles } from '../../styles/shared';

const roleHelp: Record<Role, string> = {
  owner: 'everything, including members and owners',
  admin: 'everything except owners',
  analyst: 'sees everything, changes nothing',
};

/** Members and their roles; invites by link. */
@customElement('parley-members-page')
export class ParleyMembersPage extends LitElement {
  static override styles = sharedStyles;

  /** The signed-in workspace. */
  @property({ attribute: false }) ctx!: DashboardContext;

  @state() private link: CreatedInvite | undefined;
  @state() private error: ApiError | undefined;

  private readonly members = new Resource<{ data: Member[] }>(this, {
    key: () => this.ctx.workspace.id,
    load: (signal) => this.ctx.api.get('/api/workspace/members', signal),
  });
  private readonly invites = new Resource<{ data: Invite[] }>(this, {
    key: () => this.ctx.workspace.id,
    load: (signal) => this.ctx.api.get('/api/workspace/invites', signal),
  });

  private async invite(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    // Read before any await: once dispatch ends, a shadow-tree event's target is cleared.
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    this.error = undefined;
    try {
      this.link = await this.ctx.api.post<CreatedInvite>('/api/workspace/invites', { role: data.get('role'), email: email || null });
      form.reset();
      await this.invites.reload();
    } catch (err) {
      this.error = err as ApiError;
    }
  }

  private async changeRole(member: Member, role: Role, select: HTMLSelectElement): Promise<void> {
    try {
      await this.ctx.api.patch(`/api/workspace/members/${member.userId}`, { role });
      toast(this, 'success', `${member.email} is now ${role}`);
      await this.members.reload();
      if (member.userId === this.ctx.me.user.id) emit(this, 'parley-session', {});
    } catch (err) {
      select.value = member.role; // the change did not happen: show the role it still has
      toast(this, 'error', `Could not change the role: ${(err as Error).message}`);
    }
  }

  private async removeMember(member: Member): Promise<void> {
    if (!(await confirmAction({ heading: `Remove ${member.email}?`, body: 'They lose access to this workspace at once.', confirmLabel: 'Remove' }))) return;
    try {
      await this.ctx.api.delete(`/api/workspace/members/${member.userId}`);
      toast(this, 'success', `${member.email} removed`);
      await this.members.reload();
    } catch (err) {
      toast(this, 'error', `Could not remove: ${(err as Error).message}`);
    }
  }

  private async revoke(invite: Invite): Promise<void> {
    try {
      await this.ctx.api.delete(`/api/workspace/invites/${invite.id}`);
      await this.invites.reload();
    } catch (err) {
      toast(this, 'error', `Could not revoke the invite: ${(err as Error).message}`);
    }
  }

  override render() {
    const { canWrite, isOwner } = this.ctx;
    const assignable = (['owner', 'admin', 'analyst'] as const).filter((r) => isOwner || r !== 'owner');
    return html`
      ${pageHeader(this.ctx, 'Members', 'Who can use this dashboard, and what they may do.')}
      <section class="card">
        <h2>Invite someone</h2>
        <form @submit=${this.invite} novalidate>
          <fieldset ?disabled=${!canWrite} class="fields-2">
            ${field({ id: 'role', label: 'Role', error: this.error?.fields.role }, (a) => html`<select id=${a.id} name="role" aria-describedby=${a.describedBy}>
              ${assignable.map((r) => html`<option value=${r} ?selected=${r === 'analyst'}>${r}: ${roleHelp[r]}</option>`)}</select>`)}
            ${field({ id: 'email', label: 'Email (optional)', error: this.error?.fields.email, hint: 'When given, only that account can use the link.' }, (a) =>
              html`<input id=${a.id} name="email" type="email" aria-describedby=${a.describedBy} aria-invalid=${a.invalid} />`)}
          </fieldset>
          ${this.error && !Object.keys(this.error.fields).length ? html`<div class="banner error" role="alert">${this.error.message}</div>` : nothing}
          <div><button class="primary" ?disabled=${!canWrite}>Create invite link</button></div>
        </form>
        ${this.link ? html`<div class="banner info" data-testid="invite-link"><p><strong>Send this link</strong> (valid until ${dateTime(this.link.invite.expiresAt)}; shown only now):</p>
          <div class="row"><code class="mono">${this.link.url}</code><parley-copy-button .text=${this.link.url}></parley-copy-button></div></div>` : nothing}
      </section>
      <section class="card">
        <h2>Members</h2>
        ${loaded(this.members, 'members', ({ data }) => html`<div class="table-wrap"><table>
          <thead><tr><th>Member</th><th>Role</th><th>Joined</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${data.map((m) => html`<tr>
            <td>${m.name ? html`${m.name}<div class="muted">${m.email}</div>` : m.email}</td>
            <td><select aria-label="Role of ${m.email}" ?disabled=${!canWrite || (m.role === 'owner' && !isOwner)}
                @change=${(e: Event) => this.changeRole(m, (e.target as HTMLSelectElement).value as Role, e.target as HTMLSelectElement)}>
              ${(['owner', 'admin', 'analyst'] as const).map((r) => html`<option value=${r} ?selected=${r === m.role} ?disabled=${r === 'owner' && !isOwner}>${r}</option>`)}
            </select></td>
            <td>${dateTime(m.joinedAt)}</td>
            <td><button class="danger" ?disabled=${!canWrite || (m.role === 'owner' && !isOwner)} @click=${() => this.removeMember(m)}>Remove</button></td>
          </tr>`)}</tbody></table></div>`)}
      </section>
      <section class="card">
        <h2>Invites</h2>
        ${loaded(this.invites, 'invites', ({ data }) => data.length ? html`<div class="table-wrap"><table>
          <thead><tr><th>Role</th><th>For</th><th>Status</th><th>Expires</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${data.map((i) => html`<tr><td>${i.role}</td><td>${i.email ?? html`<span class="muted">anyone with the link</span>`}</td>
            <td><span class="badge ${i.status === 'pending' ? 'warn' : i.status === 'accepted' ? 'ok' : ''}">${i.status}</span></td>
            <td>${dateTime(i.expiresAt)}</td>
            <td>${i.status === 'pending' ? html`<button ?disabled=${!canWrite} @click=${() => this.revoke(i)}>Revoke</button>` : nothing}</td></tr>`)}
          </tbody></table></div>` : html`<p class="muted">No invites yet.</p>`)}
      </section>`;
  }
}
