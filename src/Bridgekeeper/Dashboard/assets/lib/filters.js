// The filter form of the list pages: its values live in the page's query string, as the API's parameters do.
import { h } from './dom.js';

export function filterValues(names) {
  const search = new URLSearchParams(location.search);
  return Object.fromEntries(names.map(name => [name, search.get(name) ?? '']));
}

// A form of one text field per name; submitting navigates to the same page with the filled fields as its query.
export function filterForm(names, values, navigate, placeholders = {}) {
  const form = h('form', { class: 'filters', id: 'filters' },
    names.map(name => h('label', {}, name, h('input', { name, value: values[name], placeholder: placeholders[name] ?? '', spellcheck: 'false' }))),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const search = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (String(value).trim()) search.set(name, String(value).trim());
    const text = search.toString();
    navigate(`${location.pathname}${text ? `?${text}` : ''}`);
  });
  return form;
}

// A "Load more" button that fetches the page after `cursor` and appends it, until the API says there is no more.
export function pager(cursor, load) {
  let next = cursor;
  const button = h('button', { type: 'button', class: 'more', 'data-testid': 'more', hidden: !next });
  button.textContent = 'Load more';
  button.addEventListener('click', async () => {
    button.disabled = true;
    next = await load(next);
    button.disabled = false;
    button.hidden = !next;
  });
  return button;
}
