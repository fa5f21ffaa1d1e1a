// Users and keys (admins only): create users, change roles, issue and revoke keys. A new key is shown once.
import { api } from '../lib/api.js';
import { h, put, time, table, badge } from '../lib/dom.js';

export const title = 'Users and keys';
export const adminOnly = true;

const roles = ['admin', 'auditor', 'member'];

function roleSelect(user, me, refresh, report) {
  return h('select', {
    'aria-label': `Role of ${user.name}`, 'data-role-of': user.name, disabled: user.name === me.user.name,
    onchange: async event => {
      try {
        await api(`/api/v1/users/${encodeURIComponent(user.name)}`, { method: 'PATCH', body: { role: event.target.value } });
        report(`${user.name} is now ${event.target.value}.`);
        await refresh();
      } catch (error) {
        report(error.message, true);
      }
    },
  }, roles.map(role => h('option', { value: role, selected: role === user.role }, role)));
}

async function keysPanel(user, report) {
  const panel = h('section', { class: 'card', 'data-testid': 'keys', 'data-user': user.name });
  const load = async () => {
    const { keys } = await api(`/api/v1/users/${encodeURIComponent(user.name)}/keys`);
    const form = h('form', { class: 'inline', id: 'create-key' },
      h('label', {}, 'Label', h('input', { name: 'label' })),
      h('label', {}, 'Expires', h('input', { name: 'expires', placeholder: '90d, or empty for never' })),
      h('button', { type: 'submit' }, 'Create key'));
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const data = new FormData(form);
      try {
        const created = await api(`/api/v1/users/${encodeURIComponent(user.name)}/keys`, {
          method: 'POST', body: { label: data.get('label') || null, expires: data.get('expires') || null },
        });
        await load();
        panel.prepend(h('div', { class: 'new-key', role: 'status' }, 'New key (shown only now; copy it): ', h('code', { 'data-testid': 'new-key' }, created.key)));
      } catch (error) {
        report(error.message, true);
      }
    });
    panel.replaceChildren(h('h2', {}, `Keys of ${user.name}`), form, table([
      ['Label', k => k.label ?? ''],
      ['Hint', k => h('code', {}, k.hint)],
      ['Created', k => time(k.created_at)],
      ['Expires', k => k.expires_at ? time(k.expires_at) : 'never'],
      ['State', k => k.revoked_at ? badge(`revoked ${time(k.revoked_at)}`, 'bad') : badge('active', 'ok')],
      ['', k => k.revoked_at ? '' : h('button', {
        type: 'button', class: 'danger', 'data-revoke': k.id,
        onclick: async () => {
          try {
            await api(`/api/v1/keys/${k.id}`, { method: 'DELETE' });
            report(`Key ${k.hint} of ${user.name} is revoked.`);
            await load();
          } catch (error) {
            report(error.message, true);
          }
        },
      }, 'Revoke')],
    ], keys, { key: k => k.id, empty: 'No keys yet.' }));
  };
  await load();
  return panel;
}

export async function render(main, { me }) {
  const status = h('p', { class: 'status', role: 'status', 'data-testid': 'status' });
  const report = (text, failed = false) => {
    status.textContent = text;
    status.className = failed ? 'status error' : 'status';
  };
  const list = h('div');
  const keys = h('div');
  const refresh = async () => {
    const { users } = await api('/api/v1/users');
    list.replaceChildren(table([
      ['Name', u => h('button', { type: 'button', class: 'link', 'data-open': u.name, onclick: async () => keys.replaceChildren(await keysPanel(u, report)) }, u.name)],
      ['Email', u => u.email ?? ''],
      ['Role', u => roleSelect(u, me, refresh, report)],
      ['Created', u => time(u.created_at)],
    ], users, { key: u => u.name, testid: 'users' }));
  };
  const create = h('form', { class: 'inline', id: 'create-user' },
    h('label', {}, 'Name', h('input', { name: 'name', required: true, pattern: '[A-Za-z0-9._@\\-]{1,64}' })),
    h('label', {}, 'Email', h('input', { name: 'email', type: 'email' })),
    h('label', {}, 'Role', h('select', { name: 'role' }, roles.map(role => h('option', { value: role, selected: role === 'member' }, role)))),
    h('button', { type: 'submit' }, 'Create user'));
  create.addEventListener('submit', async event => {
    event.preventDefault();
    const data = new FormData(create);
    try {
      const user = await api('/api/v1/users', { method: 'POST', body: { name: data.get('name'), email: data.get('email') || null, role: data.get('role') } });
      report(`Created ${user.name} (${user.role}).`);
      create.reset();
      await refresh();
    } catch (error) {
      report(error.message, true);
    }
  });
  await refresh();
  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'Users and keys')), status,
    h('section', { class: 'card' }, h('h2', {}, 'New user'), create), list, keys);
}
