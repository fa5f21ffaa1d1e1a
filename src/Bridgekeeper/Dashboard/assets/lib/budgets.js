// Budgets as the usage summary carries them: one account per budget, or one per member for a per-member group budget.
import { h, usd, time, table, badge, link } from './dom.js';

// An account is at warn from this share of its limit used (spent and reserved), and over from all of it.
export const warnAt = 0.85;

// The accounts of the budgets, each with its budget, its share of the limit used and its state: ok, warn or over.
export function budgetAccounts(budgets) {
  return budgets.flatMap(budget => budget.current.map(account => {
    const used = (account.spent_usd + account.reserved_usd) / budget.usd;
    return { budget, account, used, state: used >= 1 ? 'over' : used >= warnAt ? 'warn' : 'ok' };
  }));
}

function subject({ budget, account }) {
  const named = `${budget.scope} ${budget.subject}`;
  return account.member ? `${named} · ${account.member}` : named;
}

// The share used as a whole percent, rounded down, so an account shown at 85% is one marked at warn.
function percent(used) {
  return `${Math.floor(used * 100 + 1e-9)}% used`;
}

function usedCell({ budget, account, used, state }) {
  const spent = account.spent_usd + account.reserved_usd;
  const label = state === 'over' ? badge(`over budget · ${percent(used)}`, 'bad') : state === 'warn' ? badge(percent(used), 'warn') : percent(used);
  return h('span', { class: 'used' },
    h('progress', { max: budget.usd, value: Math.min(spent, budget.usd), 'aria-label': `${subject({ budget, account })}: ${percent(used)}` }), label);
}

// The Spend page's budgets: every account the caller may see, marked at 85% and at 100% of its limit.
export function budgetSection(budgets) {
  const columns = [
    ['Budget', subject],
    ['Period', a => a.budget.period],
    ['Limit', a => usd(a.budget.usd), 'num'],
    ['Spent', a => usd(a.account.spent_usd), 'num'],
    ['Reserved', a => usd(a.account.reserved_usd), 'num'],
    ['Remaining', a => usd(a.account.remaining_usd), 'num'],
    ['Used', usedCell],
    ['Resets at', a => time(a.account.resets_at)],
  ];
  return h('section', { class: 'card', 'data-testid': 'budgets' }, h('h2', {}, 'Budgets'),
    table(columns, budgetAccounts(budgets), {
      empty: 'No budgets are set.',
      key: a => (a.account.member ? `${a.budget.id}/${a.account.member}` : a.budget.id),
      rowClass: a => (a.state === 'ok' ? null : a.state),
    }));
}

// The Overview's line: how many accounts are at 85% or more of their limit, linking to the Spend page.
export function budgetSummary(budgets) {
  const accounts = budgetAccounts(budgets);
  const high = accounts.filter(a => a.state !== 'ok').length;
  const over = accounts.filter(a => a.state === 'over').length;
  const text = accounts.length === 0 ? 'Budgets: none are set.'
    : `Budgets: ${high} of ${accounts.length} at ${Math.round(warnAt * 100)}% or more${over > 0 ? ` (${over} over budget)` : ''}`;
  return h('p', { class: `card budget-summary ${over > 0 ? 'over' : high > 0 ? 'warn' : ''}`, 'data-testid': 'budget-summary' },
    link('/ui/spend', text));
}
