// The web app in a real browser: Debian's Chromium, headless, driven by playwright-core, against
// a real `coalition serve` on loopback over a real SQLite store, with a member's identity
// provider played by a small OIDC server in this process. Every page is scanned with axe-core
// (no serious or critical violation) and photographed under $COALITION_SCREENSHOTS.
//
//   COALITION_BINARY=build/dev/bin/coalition COALITION_SOURCE_DIR=. \
//   COALITION_SCREENSHOTS=build/dev/web-screenshots node --test web/tests/browser/
//
// Every name, case and organisation here is fictional.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const binary = process.env.COALITION_BINARY;
const source = process.env.COALITION_SOURCE_DIR;
const shots = process.env.COALITION_SCREENSHOTS ?? path.join(tmpdir(), 'coalition-web-screenshots');
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
assert.ok(binary && source, 'COALITION_BINARY and COALITION_SOURCE_DIR must be set');

let dir;
let store;
let config;
let server;
let base;
let idp;
let browser;
const tokens = {};
const ids = {};

// ---------------------------------------------------------------------------------------------
// The engine's CLI, the API (as the tests' own hands), and waiting.

function cli(args) {
  const r = spawnSync(binary, ['--config', config, '--log-level', 'warn', ...args], {
    env: { ...process.env, COALITION_STORE: store },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `coalition ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.split('\n')[0];
}

async function api(token, method, target, body) {
  const r = await fetch(base + target, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

async function eventually(what, probe) {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

// The open task of `token`'s inbox whose step is `step`.
function taskOf(token, step) {
  return eventually(`a ${step} task`, async () => {
    const inbox = await api(token, 'GET', '/v1/tasks');
    return inbox.json.tasks?.find((t) => t.step === step);
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// A member's identity provider: authorization endpoint (consents at once), token endpoint
// (PKCE S256 checked), RS256 ID tokens.

function startIdentityProvider(port) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'nw-1', use: 'sig', alg: 'RS256' };
  const issuer = `http://127.0.0.1:${port}`;
  const grants = new Map();
  const b64 = (v) => Buffer.from(v).toString('base64url');
  const idToken = (claims) => {
    const head = b64(JSON.stringify({ alg: 'RS256', kid: 'nw-1', typ: 'JWT' }));
    const body = b64(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url');
    return `${head}.${body}.${signature}`;
  };
  const seen = { authorizations: 0, exchanges: [] };
  const http = createServer((req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/authorize') {
      seen.authorizations++;
      const code = randomBytes(16).toString('hex');
      grants.set(code, {
        challenge: url.searchParams.get('code_challenge'),
        nonce: url.searchParams.get('nonce'),
      });
      const back = new URL(url.searchParams.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state'));
      res.writeHead(302, { Location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        const form = new URLSearchParams(text);
        seen.exchanges.push(Object.fromEntries(form));
        const grant = grants.get(form.get('code'));
        grants.delete(form.get('code'));
        const verifier = form.get('code_verifier') ?? '';
        const s256 = createHash('sha256').update(verifier).digest('base64url');
        if (!grant || s256 !== grant.challenge) {
          res.writeHead(400, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        const now = Math.floor(Date.now() / 1000);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            token_type: 'Bearer',
            access_token: 'opaque',
            id_token: idToken({
              iss: issuer,
              aud: 'coalition-web',
              sub: '00u-oli',
              preferred_username: 'ops.oli',
              roles: ['compliance_ops'],
              nonce: grant.nonce,
              iat: now,
              exp: now + 300,
            }),
          }),
        );
      });
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    http.listen(port, '127.0.0.1', () => resolve({ http, issuer, jwks: { keys: [jwk] }, seen })),
  );
}

// ---------------------------------------------------------------------------------------------
// The store, the server, the browser.

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'coalition-browser-'));
  mkdirSync(shots, { recursive: true });
  // The coalition's configuration and data, as the repository has them, beside a var/ of this
  // test's own (contact directory, outbox, keys).
  cpSync(path.join(source, 'config'), path.join(dir, 'config'), { recursive: true });
  mkdirSync(path.join(dir, 'var'));
  store = path.join(dir, 'var', 'browser.db');
  config = path.join(dir, 'config', 'coalition.json');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider(await freePort());
  writeFileSync(path.join(dir, 'config', 'idp-jwks.json'), JSON.stringify(idp.jwks));
  const doc = JSON.parse(readFileSync(config, 'utf8'));
  doc.server = { rate_per_second: 10000, rate_burst: 10000 };
  doc.oidc = {
    issuers: [
      {
        issuer: idp.issuer,
        audience: 'coalition-web',
        jwks_file: 'idp-jwks.json',
        organisation: 'northwind',
        roles: ['compliance_ops'],
        claims: { person: 'preferred_username' },
        sign_in: {
          id: 'northwind',
          name: 'Northwind single sign-on',
          authorization_endpoint: `${idp.issuer}/authorize`,
          token_endpoint: `${idp.issuer}/token`,
          client_id: 'coalition-web',
          redirect_uri: `${base}/v1/auth/oidc/callback`,
        },
      },
    ],
  };
  writeFileSync(config, JSON.stringify(doc, null, 2));

  const person = (name, org, roles, scopes) =>
    cli(['tokens', 'create', '--person', name, ...(org ? ['--org', org] : []),
      ...(roles ? ['--roles', roles] : []), ...(scopes ? ['--scopes', scopes] : [])]);
  tokens.ivy = person('inv.ivy', 'northwind', 'investigator');
  tokens.ana = person('ana.lyst', 'northwind', 'analyst,reviewer');
  tokens.rai = person('rev.rai', 'northwind', 'reviewer');
  tokens.rita = person('rm.rita', 'northwind', 'relationship_manager');
  tokens.sol = person('inv.sol', 'southbank', 'investigator');
  tokens.cora = person('coord.cora', 'secretariat', null, 'coordinate');
  tokens.pat = person('sec.pat', 'secretariat', 'secretariat_policy_lead');
  tokens.cm1 = person('cm.one', 'secretariat', 'policy_committee');
  tokens.cm2 = person('cm.two', 'secretariat', 'policy_committee');
  tokens.hp = person('hp.pol', 'harborpay', 'member_policy_owner');
  tokens.rob = person('rec.rob', 'secretariat', 'records_officer');

  const workflows = path.join(source, 'workflows');
  ids.aml = cli(['start', path.join(workflows, 'aml_review.json'), '--input',
    path.join(workflows, 'examples', 'aml_review.input.json'), '--as', 'lead.lia']);
  ids.filing = cli(['start', path.join(workflows, 'filing_review.json'), '--input',
    path.join(workflows, 'examples', 'filing_review.input.json'), '--as', 'secretariat.sam']);
  ids.policy = cli(['start', path.join(workflows, 'policy_update.json'), '--input',
    path.join(workflows, 'examples', 'policy_update.input.json'), '--as', 'sec.pat']);
  // An approval whose deadline escalates a second after the server starts.
  const drill = path.join(dir, 'escalation_drill.json');
  writeFileSync(drill, JSON.stringify({
    id: 'escalation_drill', version: 1, title: 'An approval whose deadline escalates at once',
    steps: [
      { id: 'approve', kind: 'task', type: 'approval', parameters: { title: 'Approve the drill' },
        assign: { roles: ['reviewer'], organisation: 'northwind' },
        deadline: { in: 'PT1S', escalate: [{ roles: ['deputy'], in: 'PT1H' }] },
        result: '/approval', next: 'done' },
      { id: 'done', kind: 'succeed' },
    ],
  }));
  writeFileSync(path.join(dir, 'empty.json'), '{}');
  ids.drill = cli(['start', drill, '--input', path.join(dir, 'empty.json'), '--as', 'secretariat.sam']);

  server = spawn(binary, ['--config', config, '--log-level', 'warn', 'serve', '--store', store,
    '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => (log += d));
  await eventually('the server to listen', () => log.includes('listening on'));

  // What happened before the browser: the intake and the draft, through the API.
  const intake = await taskOf(tokens.ivy, 'intake');
  const done = await api(tokens.ivy, 'POST', `/v1/tasks/${intake.id}/complete`, {
    answer: {
      subject_type: 'merchant', subject_ref: 'MER-EX-88213', trigger: 'cross_member_signal',
      trigger_ref: 'SIG-EX-2026-0091', evidence: ['TXN-EX-5531907', 'URL-REF-EX-4471'],
    },
  });
  assert.equal(done.status, 200, JSON.stringify(done.json));
  const draft = await taskOf(tokens.ana, 'draft');
  const drafted = await api(tokens.ana, 'POST', `/v1/tasks/${draft.id}/complete`, {
    answer: { narrative_ref: 'NAR-EX-2026-0042' },
  });
  assert.equal(drafted.status, 200, JSON.stringify(drafted.json));

  // The policy update through its draft and committee review: the rollout to the three members
  // starts; HarborPay declines and the secretariat grants it an exception.
  const clause = await taskOf(tokens.pat, 'draft');
  const drafted2 = await api(tokens.pat, 'POST', `/v1/tasks/${clause.id}/complete`, {
    answer: {
      version: '1.0', url: 'https://coalition.example.org/model-clauses/csam-trade-1.0',
      text: 'Customers who trade or sell child sexual abuse material are removed and reported.',
    },
  });
  assert.equal(drafted2.status, 200, JSON.stringify(drafted2.json));
  for (const who of [tokens.cm1, tokens.cm2]) {
    const review = await taskOf(who, 'committee');
    const approved = await api(who, 'POST', `/v1/tasks/${review.id}/complete`, {
      answer: { decision: 'approve', justification: 'aligned with the coalition policy' },
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.json));
  }
  const ack = await taskOf(tokens.hp, 'each_member[1]/adopt(policy_adoption)/acknowledge');
  const declined = await api(tokens.hp, 'POST', `/v1/tasks/${ack.id}/complete`, {
    answer: { response: 'decline', decline_reason: 'conflicts with a local regulator notice (fictional)' },
  });
  assert.equal(declined.status, 200, JSON.stringify(declined.json));
  const exception = await taskOf(tokens.pat, 'each_member[1]/adopt(policy_adoption)/exception_review');
  const granted = await api(tokens.pat, 'POST', `/v1/tasks/${exception.id}/complete`, {
    answer: { decision: 'approve', justification: 'local law conflict' },
  });
  assert.equal(granted.status, 200, JSON.stringify(granted.json));

  browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  idp?.http.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Pages.

// A fresh browser profile; every API response body it receives, kept for absence checks.
async function newPerson(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const responses = [];
  page.on('response', async (r) => {
    if (!r.url().includes('/v1/')) return;
    try {
      responses.push({ url: r.url(), status: r.status(), body: await r.text() });
    } catch {
      // a redirect has no body
    }
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) errors.push(m.text());
  });
  return { context, page, responses, errors };
}

async function signIn(page, token) {
  await page.goto(base + '/');
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'My tasks', level: 1 }).waitFor();
}

// axe-core on the page as it stands: no serious or critical violation.
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe on ${name}`,
  );
}

async function photograph(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

test('a member signs in with a token, reads the inbox and completes a checklist', async () => {
  const { context, page, errors } = await newPerson();
  await page.goto(base + '/');
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  await accessible(page, 'sign-in');
  await photograph(page, 'sign-in');
  // The credential lives in a cookie page scripts cannot read.
  await signIn(page, tokens.ivy);
  assert.equal(await page.evaluate(() => document.cookie), '');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === '__Host-coalition-session');
  assert.ok(session?.httpOnly && session.secure && session.sameSite === 'Strict');

  const kyb = await taskOf(tokens.ivy, 'kyb_refresh');
  const row = page.getByRole('row').filter({ hasText: 'KYB/KYC refresh' });
  await row.waitFor();
  await accessible(page, 'my tasks');
  await photograph(page, 'my-tasks');

  await row.getByRole('link').first().click();
  await page.getByRole('heading', { name: 'KYB/KYC refresh', level: 1 }).waitFor();
  assert.equal(await page.locator('input[type=file]').count(), 0, 'no upload control anywhere');
  const items = {
    'Beneficial ownership confirmed': 'Not observed',
    'MATCH checked (merchant and principals)': 'Observed',
  };
  for (const [item, answer] of Object.entries(items)) {
    await page.getByRole('group', { name: item }).getByLabel(answer, { exact: true }).check();
  }
  await page
    .getByRole('group', { name: 'MATCH checked (merchant and principals)' })
    .getByLabel('Evidence', { exact: false })
    .first()
    .fill('MATCH-EX-2026-1177');
  // The other items, unanswered for now: the engine says which, in its own words.
  await page.getByRole('button', { name: 'Complete' }).click();
  const refusal = page.getByRole('alert').first();
  await refusal.waitFor();
  await accessible(page, 'checklist refused');
  await photograph(page, 'task-checklist-refused');
  for (const group of await page.locator('fieldset.checklist-item').all()) {
    const observed = group.getByLabel('Observed', { exact: true });
    if (await observed.isChecked()) continue;
    const none = group.getByLabel('Not observed', { exact: true });
    if (!(await none.isChecked())) await none.check();
  }
  await page.getByRole('button', { name: 'Complete' }).click();
  await page.getByTestId('completed').waitFor();
  await photograph(page, 'task-checklist-completed');
  const after = await api(tokens.ivy, 'GET', `/v1/tasks/${kyb.id}`);
  assert.equal(after.json.completions.length, 1);
  assert.equal(after.json.completions[0].actor, 'inv.ivy');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a separation-of-duties refusal is shown in the engine\'s words', async () => {
  const { context, page, errors } = await newPerson();
  await signIn(page, tokens.ana);
  const review = await taskOf(tokens.ana, 'review');
  await page.goto(`${base}/tasks/${review.id}`);
  await page.getByRole('heading', { name: 'CASE-2026-0042', level: 1 }).waitFor();
  await page.getByLabel('Approve', { exact: true }).check();
  await page.getByLabel('Justification').fill('The narrative reference is complete.');
  await page.getByRole('button', { name: 'Complete' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'separation of duties' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /ana\.lyst/);
  await accessible(page, 'separation of duties');
  await photograph(page, 'task-separation-of-duties');
  const still = await api(tokens.ana, 'GET', `/v1/tasks/${review.id}`);
  assert.equal(still.json.completions.length, 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an approval completed with the keyboard alone', async () => {
  const { context, page, errors } = await newPerson();
  await signIn(page, tokens.rai);
  const review = await taskOf(tokens.rai, 'review');
  await page.goto(`${base}/tasks/${review.id}`);
  await page.getByRole('heading', { name: 'CASE-2026-0042', level: 1 }).waitFor();
  // Tab until `matches` holds of the focused element; then the key.
  const tabTo = async (what, matches) => {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(matches)) return;
    }
    assert.fail(`Tab never reached ${what}`);
  };
  await tabTo('the first choice', () => document.activeElement?.type === 'radio');
  // Arrow keys move within a radio group and choose; Approve is the first option.
  await page.keyboard.press('Space');
  assert.equal(await page.getByLabel('Approve', { exact: true }).isChecked(), true);
  await tabTo('the justification', () => document.activeElement?.id?.includes('justification'));
  await page.keyboard.type('Reviewed against the filing checklist; complete.');
  await tabTo('Complete', () => document.activeElement?.textContent === 'Complete');
  await page.keyboard.press('Enter');
  await page.getByTestId('completed').waitFor();
  await photograph(page, 'task-approval-keyboard');
  const after = await api(tokens.rai, 'GET', `/v1/tasks/${review.id}`);
  assert.equal(after.json.completions.at(-1).actor, 'rev.rai');
  assert.deepEqual(errors, []);
  await context.close();
});

test('another organisation cannot open a member\'s task by its URL', async () => {
  const { context, page, responses } = await newPerson();
  const open = await api(tokens.ivy, 'GET', '/v1/tasks');
  const task = open.json.tasks[0];
  assert.ok(task, 'northwind has an open task');
  await signIn(page, tokens.sol);
  await page.goto(`${base}/tasks/${task.id}`);
  await page.getByRole('heading', { name: /not found/i, level: 1 }).waitFor();
  await accessible(page, 'not found');
  await photograph(page, 'task-other-organisation');
  const asked = responses.filter((r) => r.url.endsWith(`/v1/tasks/${task.id}`));
  assert.ok(asked.length > 0);
  for (const r of asked) assert.equal(r.status, 404);
  assert.ok(!(await page.content()).includes(task.title));
  await context.close();
});

test('the relationship manager sees the review in progress and nothing of it', async () => {
  const { context, page, responses, errors } = await newPerson();
  await signIn(page, tokens.rita);
  await page.goto(`${base}/executions`);
  const link = page.getByRole('link', { name: ids.aml });
  await link.waitFor();
  await accessible(page, 'executions (relationship manager)');
  await link.click();
  await page.getByText('compliance review in progress').first().waitFor();
  await page.waitForLoadState('networkidle');
  await accessible(page, 'execution (relationship manager)');
  await photograph(page, 'execution-relationship-manager');
  // Asserted by absence, in the page and in every response it received: the intake, the
  // checklists, the contact of the chief compliance officer, the steps' names.
  const forbidden = ['MER-EX-88213', 'SIG-EX-2026-0091', 'TXN-EX-5531907',
    'northwind.chief_compliance_officer', 'kyb_refresh', 'red_flags', 'determination',
    'MATCH-EX-2026-1177',
    // The restricted steps' deadlines: their rules, pointers and calendar.
    '/regulatory', 'au-national'];
  const seen = [await page.content(), ...responses.map((r) => r.body)].join('\n');
  assert.ok(responses.some((r) => r.url.includes(`/v1/executions/${ids.aml}`)));
  for (const word of forbidden) assert.ok(!seen.includes(word), `${word} reached the page`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a coordinator follows executions, their timeline and graph', async () => {
  const { context, page, errors } = await newPerson();
  await signIn(page, tokens.cora);
  await page.goto(`${base}/executions`);
  await page.getByRole('link', { name: ids.filing }).waitFor();
  await photograph(page, 'executions');
  await page.getByRole('link', { name: ids.aml }).click();
  await page.getByTestId('timeline').waitFor();
  await page.getByTestId('workflow-graph').waitFor();
  await page.waitForLoadState('networkidle');
  await accessible(page, 'execution (coordinator)');
  await photograph(page, 'execution');
  assert.match(await page.getByTestId('timeline').innerText(), /started by lead\.lia/);

  // The filing review's deadline: when, how it was computed and under which calendar.
  await page.goto(`${base}/executions/${encodeURIComponent(ids.filing)}`);
  const deadlines = page.getByTestId('deadlines');
  await deadlines.waitFor();
  const row = deadlines.getByRole('row').filter({ hasText: 'review' });
  assert.match(await row.innerText(), /2 business days \(au-national\)/);
  assert.match(await row.getByRole('cell').nth(2).innerText(), /^au-national$/);
  await accessible(page, 'execution with deadlines');
  await photograph(page, 'execution-deadlines');

  // Overdue and escalated across members: the drill's deadline escalated a second after the
  // server started; the filing review's has not.
  await page.goto(`${base}/overdue`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await accessible(page, 'overdue');
  await photograph(page, 'overdue');
  await page.getByRole('link', { name: 'Escalated', exact: true }).click();
  await page.getByRole('link', { name: ids.drill }).waitFor();
  assert.equal(await page.getByRole('link', { name: ids.filing }).count(), 0);
  assert.equal(
    await page.getByRole('link', { name: 'Escalated', exact: true }).getAttribute('aria-current'),
    'page',
  );
  await accessible(page, 'escalated');
  await photograph(page, 'escalated');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a coordinator reads the policy adoption matrix by segment and jurisdiction', async () => {
  const { context, page, errors } = await newPerson();
  await signIn(page, tokens.cora);
  await page.getByRole('link', { name: 'Policy adoption' }).click();
  await page.getByRole('link', { name: ids.policy }).click();
  const members = page.getByTestId('adoption-members');
  await members.waitFor();
  const text = await members.innerText();
  assert.match(text, /Northwind Bank \(fictional\)[^\n]*\tbank\tAU\tIn progress\tAcknowledging/);
  assert.match(text, /HarborPay \(fictional\)[^\n]*\tpayment_firm\tAU\tDeclined/);
  assert.match(text, /Lumen Social \(fictional\)[^\n]*\tplatform\tUS, AU\tIn progress/);
  // Lumen counts in both of its jurisdictions: AU has all three members, US one.
  const au = page.getByTestId('by-jurisdiction').getByRole('row', { name: /^AU/ });
  assert.deepEqual(
    (await au.getByRole('cell').allInnerTexts()).map(Number),
    [0, 0, 1, 0, 2, 0, 0], // adopted, adopted late, declined, overdue, in progress, failed, not started
  );
  const us = page.getByTestId('by-jurisdiction').getByRole('row', { name: /^US/ });
  assert.deepEqual((await us.getByRole('cell').allInnerTexts()).map(Number), [0, 0, 0, 0, 1, 0, 0]);
  await accessible(page, 'policy adoption');
  await photograph(page, 'policy-adoption');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a records officer sees the legal holds and retention policy; a member analyst does not', async () => {
  const held = await api(tokens.rob, 'POST', `/v1/executions/${ids.aml}/legal-hold`, {
    reason: 'keep-open letter KOL-EX-0031 (fictional)',
  });
  assert.equal(held.status, 200, JSON.stringify(held.json));
  const { context, page, errors } = await newPerson();
  await signIn(page, tokens.rob);
  await page.getByRole('link', { name: 'Retention' }).click();
  const holds = page.getByTestId('legal-holds');
  await holds.waitFor();
  assert.match(await holds.innerText(), /KOL-EX-0031/);
  assert.match(await holds.innerText(), new RegExp(ids.aml));
  const policies = page.getByTestId('retention-policies');
  await policies.waitFor();
  assert.match(await policies.innerText(), /aml_review@2/);
  // Retention in calendar years: the filed report's data is kept 5 years from filing.
  assert.match(await policies.innerText(), /5 years/);
  await page.getByRole('button', { name: 'Preview the purge' }).click();
  const report = page.getByTestId('purge-report');
  await report.waitFor();
  assert.match(await report.innerText(), /Preview/);
  // Nothing has finished long enough ago to expire: there is nothing to purge.
  assert.equal(await page.getByRole('button', { name: 'Purge now' }).count(), 0);
  await accessible(page, 'retention');
  await photograph(page, 'retention');
  assert.deepEqual(errors, []);
  await context.close();

  const analyst = await newPerson();
  await signIn(analyst.page, tokens.ana);
  assert.equal(await analyst.page.getByRole('link', { name: 'Retention' }).count(), 0);
  await analyst.page.goto(`${base}/retention`);
  await analyst.page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await analyst.page.getByTestId('legal-holds').count(), 0);
  const denied = await analyst.page.evaluate(async () => (await fetch('/v1/legal-holds')).status);
  assert.equal(denied, 403);
  const seen = analyst.responses.map((r) => r.body).join('\n');
  assert.ok(!seen.includes('KOL-EX-0031'));
  await analyst.context.close();
});

test('a member signs in through their identity provider (code flow with PKCE) and out', async () => {
  const { context, page, errors } = await newPerson();
  await page.goto(base + '/');
  await page.getByRole('link', { name: 'Sign in with Northwind single sign-on' }).click();
  await page.getByRole('heading', { name: 'My tasks', level: 1 }).waitFor();
  assert.equal(idp.seen.authorizations, 1);
  assert.equal(idp.seen.exchanges.length, 1);
  assert.equal(idp.seen.exchanges[0].code_verifier.length, 43);
  const session = await page.evaluate(async () => (await fetch('/v1/session')).json());
  assert.equal(session.person, 'ops.oli');
  assert.equal(session.organisation, 'northwind');
  assert.equal(session.identity, 'oidc');
  await page.getByRole('button', { name: /sign out/i }).click();
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  const gone = await page.evaluate(async () => (await fetch('/v1/session')).status);
  assert.equal(gone, 401);
  assert.deepEqual(errors, []);
  await context.close();
});

test('readable at 200% zoom: nothing scrolls sideways', async () => {
  // A 1280-pixel window at 200% zoom lays pages out in 640 CSS pixels.
  const { context, page } = await newPerson({ width: 640, height: 900 });
  await signIn(page, tokens.cora);
  const wide = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(await wide(), 0, 'my tasks');
  await page.goto(`${base}/executions`);
  await page.getByRole('link', { name: ids.aml }).waitFor();
  assert.equal(await wide(), 0, 'executions');
  await page.getByRole('link', { name: ids.aml }).click();
  await page.getByTestId('workflow-graph').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await wide(), 0, 'an execution');
  await photograph(page, 'execution-200-percent');
  await context.close();
});
