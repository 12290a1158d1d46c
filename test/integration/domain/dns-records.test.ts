import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkDomainDns, createResolver } from '../../../src/domain/custom-domain/dns-records';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server';

const EXPECTED = { name: 'brand.example', token: 'tok123', mxHost: 'mx.dustmail.net' };

let dns: TestDnsServer;

beforeAll(async () => {
  dns = await startDnsServer();
});

afterAll(async () => {
  await dns?.close();
});

function check(expected = EXPECTED) {
  return checkDomainDns(createResolver([dns.address]), expected);
}

describe('checkDomainDns', () => {
  it('passes a domain with the TXT token and the MX host', async () => {
    dns.zone = {
      txt: { 'brand.example': [['v=spf1 -all'], ['dustmail-verification=tok123']] },
      mx: { 'brand.example': [{ exchange: 'MX.dustmail.net', preference: 10 }] },
    };

    expect(await check()).toEqual({ txt: 'ok', mx: 'ok', problems: [] });
  });

  it('joins a TXT record split into several strings', async () => {
    dns.zone = {
      txt: { 'brand.example': [['dustmail-verif', 'ication=tok123']] },
      mx: { 'brand.example': [{ exchange: 'mx.dustmail.net', preference: 10 }] },
    };

    expect((await check()).txt).toBe('ok');
  });

  it('says which record is missing', async () => {
    dns.zone = { mx: { 'brand.example': [{ exchange: 'mx.dustmail.net', preference: 10 }] } };

    const report = await check();

    expect(report).toMatchObject({ txt: 'missing', mx: 'ok' });
    expect(report.problems).toEqual([
      'No TXT record "dustmail-verification=tok123" on brand.example',
    ]);
  });

  it('says which record is wrong and what it holds', async () => {
    dns.zone = {
      txt: { 'brand.example': [['dustmail-verification=other']] },
      mx: { 'brand.example': [{ exchange: 'mail.elsewhere.example', preference: 5 }] },
    };

    const report = await check();

    expect(report).toMatchObject({ txt: 'wrong', mx: 'wrong' });
    expect(report.problems[1]).toBe(
      'The MX record of brand.example points at mail.elsewhere.example, not mx.dustmail.net',
    );
  });

  it('reports both missing for a domain with no records', async () => {
    dns.zone = {};

    const report = await check();

    expect(report).toMatchObject({ txt: 'missing', mx: 'missing' });
    expect(report.problems).toHaveLength(2);
  });
});
