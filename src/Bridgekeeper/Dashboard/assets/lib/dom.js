// Elements built from data with textContent only: prompts, tool inputs and results are shown as text, never as HTML.
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'data') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Appends children to a parent, skipping null, undefined and false, flattening arrays.
export function put(parent, ...children) {
  parent.append(...children.flat(Infinity).filter(child => child !== null && child !== undefined && child !== false));
  return parent;
}

// A link to a dashboard page, followed without reloading the page.
export function link(href, text, props = {}) {
  return h('a', { href, 'data-link': true, ...props }, text);
}

const integer = new Intl.NumberFormat('en-US');

export function count(value) {
  return integer.format(value ?? 0);
}

// USD as recorded: null is unpriced, never shown as 0. Below $1, four significant digits (agents' requests cost
// fractions of a cent); from $1, cents and below to four places; from $100, cents.
export function usd(value) {
  if (value === null || value === undefined) return 'unpriced';
  if (value === 0) return '$0.00';
  const options = value < 1 ? { maximumSignificantDigits: 4 } : { minimumFractionDigits: 2, maximumFractionDigits: value < 100 ? 4 : 2 };
  return `$${value.toLocaleString('en-US', options)}`;
}

export function time(value) {
  if (!value) return '';
  return new Date(value).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// A table of rows; columns are [heading, row => cell text or node, class?]. Rows carry data-key for tests and links, and
// the class rowClass gives them, if any.
export function table(columns, rows, { empty = 'Nothing to show in this range.', key = null, testid = null, rowClass = null } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty', 'data-testid': testid }, empty);
  return h('table', { 'data-testid': testid },
    h('thead', {}, h('tr', {}, columns.map(([heading, , css]) => h('th', { class: css }, heading)))),
    h('tbody', {}, rows.map(row => h('tr', { 'data-key': key ? key(row) : null, class: rowClass ? rowClass(row) : null },
      columns.map(([heading, cell, css]) => h('td', { class: css, 'data-column': heading }, cell(row)))))));
}

export function stat(label, value, name) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value', 'data-stat': name }, value));
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}` }, text);
}
