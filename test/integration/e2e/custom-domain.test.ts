import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server';
import { graphql, request } from '../../helpers/http';
import { refusedCode, sendMail } from '../../helpers/mail';
import { startService, type TestService } from '../../helpers/service';

// A premium account brings its own domain: GraphQL adds and verifies it against a DNS
// server on loopback, REST creates inboxes on it, SMTP takes its mail only while verified.

const MX_HOST = 'mx.dustmail.test';
const SHARED = ['dustmail.net', 'spare.example'];

let service: TestService;
let dns: TestDnsServer;
let domainSeq = 0;

beforeAll(async () => {
  dns = await startDnsServer();
  service = await startService({
    DUSTMAIL_DOMAINS: SHARED.join(','),
    DUSTMAIL_MX_HOST: MX_HOST,
    DUSTMAIL_DNS_SERVERS: dns.address,
  });
});

afterAll(async () => {
  await service?.stop();
  await dns?.close();
});

/** A domain name no other test uses. */
function freshDomain(): string {
  domainSeq += 1;
  return `brand${domainSeq}.example`;
}

interface DomainView {
  name: string;
  verified: boolean;
  records: { type: string; name: string; value: string }[];
}

const DOMAIN_FIELDS = 'name verified verifiedAt records { type name value }';

async function addDomain(key: string, name: string) {
  return graphql<{ addDomain: DomainView }>(
    service.httpUrl,
    key,
    `mutation ($name: String!) { addDomain(name: $name) { ${DOMAIN_FIELDS} } }`,
    { name },
  );
}

async function verifyDomain(key: string, name: string) {
  return graphql<{
    verifyDomain: { verified: boolean; txt: string; mx: string; problems: string[] };
  }>(
    service.httpUrl,
    key,
    `
      mutation ($name: String!) {
        verifyDomain(name: $name) {
          verified
          txt
          mx
          problems
          domain {
            name
            verified
          }
        }
      }
    `,
    { name },
  );
}

/** Publishes the records addDomain asked for in the loopback zone. */
function publish(domain: DomainView, mx = MX_HOST): void {
  const txt = domain.records.find((r) => r.type === 'TXT')!.value;
  dns.zone.txt = { ...dns.zone.txt, [domain.name]: [[txt]] };
  dns.zone.mx = { ...dns.zone.mx, [domain.name]: [{ exchange: mx, preference: 10 }] };
}

/** A premium key with a verified domain of its own. */
async function ownerOfVerifiedDomain(email?: string): Promise<{ key: string; name: string }> {
  const key = await service.createAccount('premium', email);
  const name = freshDomain();
  const added = await addDomain(key, name);
  publish(added.body.data!.addDomain);
  const verified = await verifyDomain(key, name);
  expect(verified.body.data?.verifyDomain.verified).toBe(true);
  return { key, name };
}

function createInbox(key: string, body: Record<string, string>) {
  return request(service.httpUrl, 'POST', '/api/v1/inbox', { key, body });
}

const codes = (body: { errors?: { extensions?: { code?: string } }[] }) =>
  (body.errors ?? []).map((e) => e.extensions?.code);

describe('mutation addDomain', () => {
  it('gives the TXT record and the MX host to publish', async () => {
    const key = await service.createAccount('premium');
    const name = freshDomain();

    const added = await addDomain(key, name);

    expect(added.body.errors).toBeUndefined();
    expect(added.body.data?.addDomain).toEqual({
      name,
      verified: false,
      verifiedAt: null,
      records: [
        { type: 'TXT', name, value: expect.stringMatching(/^dustmail-verification=[0-9a-f]{32}$/) },
        { type: 'MX', name, value: MX_HOST },
      ],
    });
  });

  it('returns the same token when the domain is added again', async () => {
    const key = await service.createAccount('premium');
    const name = freshDomain();

    const first = await addDomain(key, name);
    const second = await addDomain(key, name.toUpperCase());

    expect(second.body.data?.addDomain.records).toEqual(first.body.data?.addDomain.records);
  });

  it('stores a Unicode name in its punycode form', async () => {
    const key = await service.createAccount('premium');

    const added = await addDomain(key, 'Bücher.example');

    expect(added.body.data?.addDomain.name).toBe('xn--bcher-kva.example');
  });

  it('refuses a free account with PREMIUM_REQUIRED', async () => {
    const key = await service.createAccount('free');

    const added = await addDomain(key, freshDomain());

    expect(added.status).toBe(403);
    expect(codes(added.body)).toEqual(['PREMIUM_REQUIRED']);
  });

  it('refuses a shared domain with DOMAIN_NOT_AVAILABLE', async () => {
    const key = await service.createAccount('premium');

    const added = await addDomain(key, SHARED[1]!);

    expect(codes(added.body)).toEqual(['DOMAIN_NOT_AVAILABLE']);
  });

  it.each([
    ['a name over 253 characters', `${'a'.repeat(60)}.`.repeat(5) + 'example'],
    ['a label over 63 characters', `${'b'.repeat(64)}.example`],
    ['an IP address', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['a top-level domain alone', 'com'],
    ['a wildcard', '*.wild.example'],
    ['a label starting with a hyphen', '-dash.example'],
    ['an underscore', 'a_b.example'],
    ['an empty label', 'a..b.example'],
  ])('refuses %s with VALIDATION_ERROR', async (_what, name) => {
    const key = await service.createAccount('premium');

    const added = await addDomain(key, name);

    expect(added.status).toBe(400);
    expect(codes(added.body)).toEqual(['VALIDATION_ERROR']);
  });

  it.each([
    ['a subdomain of a shared domain', `mail.${SHARED[0]}`],
    ['the MX host', MX_HOST],
  ])('refuses %s with DOMAIN_NOT_AVAILABLE', async (_what, name) => {
    const key = await service.createAccount('premium');

    const added = await addDomain(key, name);

    expect(codes(added.body)).toEqual(['DOMAIN_NOT_AVAILABLE']);
  });

  it('refuses a domain another account has verified with DOMAIN_TAKEN', async () => {
    const { name } = await ownerOfVerifiedDomain();
    const other = await service.createAccount('premium');

    const added = await addDomain(other, name);

    expect(added.status).toBe(409);
    expect(codes(added.body)).toEqual(['DOMAIN_TAKEN']);
  });
});

describe('mutation verifyDomain', () => {
  it('reports both records missing when nothing is published', async () => {
    const key = await service.createAccount('premium');
    const name = freshDomain();
    await addDomain(key, name);

    const result = await verifyDomain(key, name);

    expect(result.body.data?.verifyDomain).toMatchObject({
      verified: false,
      txt: 'MISSING',
      mx: 'MISSING',
      problems: [expect.stringContaining('No TXT record'), expect.stringContaining(MX_HOST)],
    });
  });

  it('names the MX host found when the MX record points elsewhere', async () => {
    const key = await service.createAccount('premium');
    const name = freshDomain();
    const added = await addDomain(key, name);
    publish(added.body.data!.addDomain, 'mail.elsewhere.example');

    const result = await verifyDomain(key, name);

    expect(result.body.data?.verifyDomain).toMatchObject({ verified: false, txt: 'OK' });
    expect(result.body.data?.verifyDomain.mx).toBe('WRONG');
    expect(result.body.data?.verifyDomain.problems).toEqual([
      expect.stringContaining('mail.elsewhere.example'),
    ]);
  });

  it('verifies the domain when both records are right', async () => {
    const key = await service.createAccount('premium');
    const name = freshDomain();
    const added = await addDomain(key, name);
    publish(added.body.data!.addDomain);

    const result = await verifyDomain(key, name);
    const listed = await graphql(
      service.httpUrl,
      key,
      `
        {
          domains {
            name
            verified
          }
        }
      `,
    );

    expect(result.body.data?.verifyDomain).toMatchObject({ verified: true, problems: [] });
    expect(listed.body.data.domains).toEqual([{ name, verified: true }]);
  });

  it('answers DOMAIN_TAKEN once another account has verified the name', async () => {
    const late = await service.createAccount('premium');
    const name = freshDomain();
    await addDomain(late, name);
    const first = await service.createAccount('premium');
    publish((await addDomain(first, name)).body.data!.addDomain);
    await verifyDomain(first, name);

    const result = await verifyDomain(late, name);

    expect(result.status).toBe(409);
    expect(codes(result.body)).toEqual(['DOMAIN_TAKEN']);
  });

  it('keeps a verified domain verified and reports records removed since', async () => {
    const { key, name } = await ownerOfVerifiedDomain();
    delete dns.zone.txt![name];

    const result = await verifyDomain(key, name);

    expect(result.body.data?.verifyDomain).toMatchObject({ verified: true, txt: 'MISSING' });
    expect(result.body.data?.verifyDomain.problems).toHaveLength(1);
  });

  it('answers NOT_FOUND for a domain the account did not add', async () => {
    const key = await service.createAccount('premium');

    const result = await verifyDomain(key, freshDomain());

    expect(codes(result.body)).toEqual(['NOT_FOUND']);
  });
});

describe('POST /api/v1/inbox on a custom domain', () => {
  it('creates an inbox on a verified domain and lists it in available_domains', async () => {
    const { key, name } = await ownerOfVerifiedDomain();

    const created = await createInbox(key, { username: 'signup', domain: name.toUpperCase() });

    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ email: `signup@${name}`, domain: name });
    expect(created.body.meta.available_domains).toEqual([...SHARED, name]);
  });

  it('refuses a domain that is added but not verified with 422', async () => {
    const key = await service.createAccount('premium');
    const name = freshDomain();
    await addDomain(key, name);

    const created = await createInbox(key, { domain: name });

    expect(created.status).toBe(422);
    expect(created.body.error.code).toBe('DOMAIN_NOT_AVAILABLE');
  });

  it("refuses another account's verified domain with 422", async () => {
    const { name } = await ownerOfVerifiedDomain();
    const other = await service.createAccount('premium');

    const created = await createInbox(other, { domain: name });

    expect(created.status).toBe(422);
    expect(created.body.error.code).toBe('DOMAIN_NOT_AVAILABLE');
  });

  it('refuses a downgraded owner with 403 and keeps its earlier inbox', async () => {
    const email = `downgrade.${Date.now()}@example.test`;
    const { key, name } = await ownerOfVerifiedDomain(email);
    const earlier = await createInbox(key, { domain: name });
    await service.cli('account', 'set-plan', email, 'free');

    const created = await createInbox(key, { domain: name });
    const read = await request(service.httpUrl, 'GET', `/api/v1/inbox/${earlier.body.data.id}`, {
      key,
    });

    expect(created.status).toBe(403);
    expect(created.body.error.code).toBe('PREMIUM_REQUIRED');
    expect(read.status).toBe(200);
    expect(read.body.data.inbox.expires_at).toBe(earlier.body.data.expires_at);
  });
});

describe('SMTP for a custom domain', () => {
  it('refuses mail with 550 5.7.1 before the domain is verified', async () => {
    const key = await service.createAccount('premium');
    const name = freshDomain();
    await addDomain(key, name);

    const refused = await refusedCode(sendMail(service.smtpPort, { to: `x@${name}`, text: 'x' }));

    expect(refused.code).toBe(550);
    expect(refused.text).toContain('5.7.1');
  });

  it('delivers mail to an inbox on a verified domain', async () => {
    const { key, name } = await ownerOfVerifiedDomain();
    const inbox = (await createInbox(key, { username: 'orders', domain: name })).body.data;

    await sendMail(service.smtpPort, { to: `Orders@${name.toUpperCase()}`, subject: 'Receipt' });
    const read = await request(service.httpUrl, 'GET', `/api/v1/inbox/${inbox.id}`, { key });

    expect(read.body.data.emails.map((e: { subject: string }) => e.subject)).toEqual(['Receipt']);
  });

  it('answers 550 5.1.1 for an unknown address on a verified domain', async () => {
    const { name } = await ownerOfVerifiedDomain();

    const refused = await refusedCode(
      sendMail(service.smtpPort, { to: `nobody@${name}`, text: 'x' }),
    );

    expect(refused.code).toBe(550);
    expect(refused.text).toContain('5.1.1');
  });
});

describe('mutation removeDomain', () => {
  /** A verified domain with one inbox on it, then removed. */
  async function removedDomainWithInbox(username: string) {
    const { key, name } = await ownerOfVerifiedDomain();
    const inbox = (await createInbox(key, { username, domain: name })).body.data;
    const removed = await graphql(
      service.httpUrl,
      key,
      `
        mutation ($name: String!) {
          removeDomain(name: $name)
        }
      `,
      { name },
    );
    expect(removed.body.data).toEqual({ removeDomain: name });
    return { key, name, inbox: inbox as { id: string; email: string } };
  }

  it("deletes the domain's inboxes", async () => {
    const { key, inbox } = await removedDomainWithInbox('gone');

    const read = await request(service.httpUrl, 'GET', `/api/v1/inbox/${inbox.id}`, { key });
    const listed = await graphql(service.httpUrl, key, '{ domains { name } }');

    expect(read.status).toBe(404);
    expect(listed.body.data.domains).toEqual([]);
  });

  it('refuses mail for the removed domain with 550 5.7.1', async () => {
    const { inbox } = await removedDomainWithInbox('bounced');

    const refused = await refusedCode(sendMail(service.smtpPort, { to: inbox.email, text: 'x' }));

    expect(refused.code).toBe(550);
    expect(refused.text).toContain('5.7.1');
  });

  it('keeps the addresses taken when the domain comes back', async () => {
    const { key, name } = await removedDomainWithInbox('taken');
    const readded = await addDomain(key, name);
    publish(readded.body.data!.addDomain);
    await verifyDomain(key, name);

    const again = await createInbox(key, { username: 'taken', domain: name });

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ADDRESS_TAKEN');
  });
});
