// Drives the dashboard in Debian's Chromium with playwright-core (pinned in package.json), as a person would: the sign-in
// form, the navigation, the forms. It reads what the pages show and prints it as one JSON object on stdout; the C# tests
// (DashboardBrowserTests) compare that with the REST API. Screenshots go to BK_SHOTS.
//
//   node dashboard.mjs admin|member|demo   with BK_URL, BK_KEY, BK_SHOTS and the scenario's BK_* settings (below)
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [scenario] = process.argv.slice(2);
const base = process.env.BK_URL.replace(/\/$/, '');
const shots = process.env.BK_SHOTS;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.BK_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
const problems = [];
page.on('console', message => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
page.on('pageerror', error => problems.push(`page error: ${error.message}`));
// Every Content-Security-Policy violation on a dashboard page is a failure: the pages need no inline script or style.
await context.addInitScript(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
});

async function ready(section) {
  await page.waitForSelector(`main[data-ready="true"][data-page="${section}"]`, { timeout: 15000 });
}

async function open(path, section) {
  await page.goto(base + path);
  await ready(section);
}

async function nav(section) {
  await page.click(`nav a[data-nav="${section}"]`);
  await ready(section);
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${scenario}-${name}.png`), fullPage: true });
}

async function signIn(key) {
  await page.goto(`${base}/ui`);
  await ready('sign-in');
  await page.fill('#key', key);
  await page.press('#key', 'Enter');
  await ready('overview');
}

// The cells of a table by row key: { key: { column: text } }.
function rows(selector) {
  return page.$$eval(`${selector} tbody tr`, trs => Object.fromEntries(trs.map(tr => [tr.dataset.key,
    Object.fromEntries([...tr.querySelectorAll('td')].map(td => [td.dataset.column, td.querySelector('select')?.value ?? td.textContent.trim()]))])));
}

// The budget accounts on the Spend page by row key: their cells, their row's class (warn, over) and their progress bar.
function budgetRows() {
  return page.$$eval('[data-testid="budgets"] tbody tr', trs => Object.fromEntries(trs.map(tr => {
    const progress = tr.querySelector('progress');
    return [tr.dataset.key, {
      cells: Object.fromEntries([...tr.querySelectorAll('td')].map(td => [td.dataset.column, td.textContent.trim()])),
      class: tr.className,
      progress: progress ? { value: progress.value, max: progress.max, label: progress.getAttribute('aria-label') } : null,
    }];
  })));
}

// What the Spend page shows of the budgets, with the summary the API gives this caller at the same time.
async function budgets() {
  return {
    rows: await budgetRows(),
    empty: await page.$eval('[data-testid="budgets"] .empty', e => e.textContent.trim()).catch(() => null),
    summary: JSON.parse((await fetchFromPage('/api/v1/usage/summary?since=7d')).body).budgets,
  };
}

// The Overview's budget line and where it links.
async function budgetLine() {
  const line = await page.$('[data-testid="budget-summary"]');
  return line ? { text: (await line.textContent()).trim(), class: await line.getAttribute('class'), href: await line.$eval('a', a => a.getAttribute('href')) } : null;
}

function stats() {
  return page.$$eval('[data-stat]', els => Object.fromEntries(els.map(e => [e.dataset.stat, e.textContent.trim()])));
}

// The thread of a session or interception page: each interception's prompt and events, as shown.
function thread() {
  return page.$$eval('[data-interception]', articles => articles.map(a => ({
    id: a.dataset.interception,
    prompts: [...a.querySelectorAll('[data-part="prompt"]')].map(p => p.textContent),
    events: [...a.querySelectorAll('[data-event]')].map(e => ({
      kind: e.dataset.event,
      tool: e.dataset.tool ?? null,
      injected: e.classList.contains('injected'),
      input: e.querySelector('[data-part="input"]')?.textContent ?? null,
      result: e.querySelector('[data-part="result"]')?.textContent ?? null,
      tokens: e.querySelector('[data-part="tokens"]')?.textContent ?? null,
      cost: e.querySelector('[data-part="cost"]')?.textContent ?? null,
    })),
  })));
}

// What fetch from the signed-in page gets: the cookie rides along, as it would for a script an attacker injected.
function fetchFromPage(path, init = {}) {
  return page.evaluate(async ([url, options]) => {
    const response = await fetch(url, options);
    return { status: response.status, body: await response.text() };
  }, [path, init]);
}

async function admin() {
  const out = {};
  await signIn(process.env.BK_KEY);
  out.overview = { stats: await stats(), byModel: await rows('[data-testid="by-model"]'), byClient: await rows('[data-testid="by-client"]'),
    budgets: await budgetLine() };
  await shot('overview');
  await page.selectOption('#range', '24h');
  await ready('overview');
  out.overview24h = { url: page.url(), stats: await stats() };

  await page.click('[data-testid="budget-summary"] a');
  await ready('spend');
  out.spend = { url: page.url(), byUser: await rows('[data-testid="by-user"]'), byModel: await rows('[data-testid="by-model"]'), budgets: await budgets() };
  const csvHref = await page.getAttribute('[data-testid="csv-user"]', 'href');
  out.spend.csv = await fetchFromPage(csvHref);
  await shot('spend');

  await nav('sessions');
  out.sessions = await rows('[data-testid="sessions"]');
  await page.click(`[data-testid="sessions"] tr[data-key="${process.env.BK_SESSION}"] a`);
  await ready('sessions');
  await page.waitForSelector('[data-testid="thread"]');
  out.session = { url: page.url(), stats: await stats(), thread: await thread() };
  await shot('session');

  await nav('interceptions');
  out.interceptions = Object.keys(await rows('[data-testid="interceptions"]'));
  await page.fill('#filters input[name="user"]', process.env.BK_FILTER_USER);
  await page.press('#filters input[name="user"]', 'Enter');
  await page.waitForURL(/user=/);
  await ready('interceptions');
  out.filtered = Object.keys(await rows('[data-testid="interceptions"]'));
  await page.click(`[data-testid="interceptions"] tr[data-key="${out.filtered[0]}"] a`);
  await ready('interceptions');
  out.interception = { url: page.url(), thread: await thread() };
  await shot('interception');

  await nav('mcp');
  out.mcp = await rows('[data-testid="servers"]');
  await shot('mcp');

  await nav('users');
  const name = process.env.BK_NEW_USER;
  await page.fill('#create-user input[name="name"]', name);
  await page.selectOption('#create-user select[name="role"]', 'auditor');
  await page.click('#create-user button[type="submit"]');
  await page.waitForSelector(`[data-testid="users"] tr[data-key="${name}"]`);
  await page.click(`[data-open="${name}"]`);
  await page.waitForSelector(`[data-testid="keys"][data-user="${name}"]`);
  await page.fill('#create-key input[name="label"]', 'from-the-dashboard');
  await page.click('#create-key button[type="submit"]');
  out.newKey = (await page.textContent('[data-testid="new-key"]', { timeout: 10000 })).trim();
  await shot('users');
  await page.click('[data-revoke]');
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.includes('revoked'));
  await page.selectOption(`[data-role-of="${name}"]`, 'member');
  await page.waitForFunction(n => document.querySelector('[data-testid="status"]')?.textContent === `${n} is now member.`, name);
  out.users = await rows('[data-testid="users"]');

  out.cookies = (await context.cookies()).map(c => ({ name: c.name, value: c.value, path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite, secure: c.secure }));
  out.documentCookie = await page.evaluate(() => document.cookie);
  out.withoutCsrf = await fetchFromPage('/api/v1/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"no-csrf"}' });

  await page.click('#sign-out');
  await ready('sign-in');
  out.afterSignOut = await fetchFromPage('/api/v1/me');
  return out;
}

async function member() {
  const out = {};
  await signIn(process.env.BK_KEY);
  out.overview = await stats();
  out.overviewBudgets = await budgetLine();
  out.usersLinkVisible = await page.isVisible('nav a[data-nav="users"]');
  await nav('sessions');
  out.sessions = Object.keys(await rows('[data-testid="sessions"]'));
  await nav('interceptions');
  out.interceptions = Object.keys(await rows('[data-testid="interceptions"]'));
  out.userFilter = await page.$('#filters input[name="user"]') !== null;
  await open('/ui/users', 'users');
  out.usersPage = (await page.textContent('main')).trim();
  await shot('users-denied');
  out.usersApi = await fetchFromPage('/api/v1/users');
  out.createUserApi = await fetchFromPage('/api/v1/users', {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': await csrf() }, body: '{"name":"by-a-member"}',
  });
  await open(process.env.BK_FOREIGN_SESSION, 'sessions');
  out.foreignSession = await page.textContent('[data-testid="page-error"]');
  await open(process.env.BK_FOREIGN_INTERCEPTION, 'interceptions');
  out.foreignInterception = await page.textContent('[data-testid="page-error"]');
  await open('/ui/spend', 'spend');
  out.spend = await rows('[data-testid="by-user"]');
  out.spendBudgets = await budgets();
  await shot('spend');

  // Another site's page posts a form to the API while this browser is signed in: SameSite=Strict keeps the cookie home.
  const attacker = await context.newPage();
  await attacker.setContent(`<form method="POST" action="${base}/api/v1/users" enctype="text/plain">
    <input name='{"name":"forged","role":"admin","x":"' value='"}'></form>`);
  await Promise.all([attacker.waitForNavigation(), attacker.evaluate(() => document.forms[0].submit())]);
  out.forged = (await attacker.textContent('body')).trim();
  await attacker.close();

  // Another member, whom no budget applies to, though there are budgets: the line and the section say there are none.
  await page.click('#sign-out');
  await ready('sign-in');
  await signIn(process.env.BK_KEY_WITHOUT_BUDGETS);
  out.withoutBudgets = { overview: await budgetLine() };
  await nav('spend');
  out.withoutBudgets.spend = await budgets();
  await shot('spend-no-budgets');
  return out;
}

// server --demo out of the box: the banner's key signs in, and the one request sent through the gateway is on the pages.
async function demo() {
  await signIn(process.env.BK_KEY);
  const out = { overview: await stats() };
  await nav('interceptions');
  out.interceptions = Object.keys(await rows('[data-testid="interceptions"]'));
  await shot('interceptions');
  return out;
}

async function csrf() {
  const session = await fetchFromPage('/api/v1/session');
  return JSON.parse(session.body).csrf_token;
}

let result;
try {
  const scenarios = { admin, member, demo };
  if (!scenarios[scenario]) throw new Error(`unknown scenario ${scenario}`);
  result = await scenarios[scenario]();
  result.csp = await page.evaluate(() => window.__csp);
  result.problems = problems;
  process.stdout.write(JSON.stringify(result));
} catch (error) {
  await page.screenshot({ path: join(shots, `${scenario}-failure.png`), fullPage: true }).catch(() => {});
  process.stderr.write(`${error.stack}\nat ${page.url()}\nproblems: ${JSON.stringify(problems)}\n`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
