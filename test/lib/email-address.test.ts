// One email validator: what a valid address is, the same for contacts, imports,
// accounts, senders, suppressions and test sends.
import { describe, expect, it } from 'vitest';
import { Email } from '../../src/accounts/accounts.schemas';
import { CampaignTestSendInput } from '../../src/campaigns/campaigns.schemas';
import { readImportHeader, readImportRow } from '../../src/contacts/contact-import-rows';
import { ContactInput } from '../../src/contacts/contacts.schemas';
import { normalizeEmail } from '../../src/lib/email-address';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ann.Lee+Shop@Example.COM \n')).toBe('ann.lee+shop@example.com');
    expect(normalizeEmail("o'brien@mail.example.co.uk")).toBe("o'brien@mail.example.co.uk");
    expect(normalizeEmail('Jürgen@Bücher.de')).toBe('jürgen@bücher.de');
  });

  it('refuses what is not a plausible address', () => {
    for (const raw of [
      '',
      '   ',
      'ann',
      'ann@',
      '@example.com',
      'ann@example',
      'ann@@example.com',
      'ann lee@example.com',
      'ann@exa mple.com',
      '.ann@example.com',
      'ann..lee@example.com',
      'ann@-example.com',
      'ann@example.c',
      'a@b.c0m',
      null,
      undefined,
    ]) {
      expect(normalizeEmail(raw), String(raw)).toBeNull();
    }
    expect(normalizeEmail(`${'a'.repeat(65)}@example.com`)).toBeNull();
    expect(normalizeEmail(`ann@${'a'.repeat(250)}.com`)).toBeNull();
  });
});

describe('internationalized addresses', () => {
  it('accepts them, keeping the domain as typed (lower-cased, NFC), not punycoded', () => {
    expect(normalizeEmail('José@Exämple.com')).toBe('josé@exämple.com');
    // The same letter typed as e + combining accent is the same address.
    expect(normalizeEmail('jose\u0301@example.com')).toBe('josé@example.com');
    expect(normalizeEmail('用户@例子.广告')).toBe('用户@例子.广告');
    // A punycoded domain is kept as sent.
    expect(normalizeEmail('ann@xn--exmple-cua.com')).toBe('ann@xn--exmple-cua.com');
  });

  it('refuses spaces, controls and symbols of any script', () => {
    for (const raw of ['ann\u00a0lee@example.com', 'ann\u2028@example.com', 'ann@exa\u3000mple.com', 'ann\u0000@example.com', 'ann@example.c\u00f6m.', 'a★@example.com']) {
      expect(normalizeEmail(raw), JSON.stringify(raw)).toBeNull();
    }
  });
});

describe('every edge reads addresses the same way', () => {
  const addresses = ['josé@exämple.com', ' Ann.Lee+Shop@Example.COM ', "o'brien@mail.example.co.uk", 'not-an-address', 'ann@example', 'ann..lee@example.com'];

  it('agrees between contacts, imports, accounts, senders, suppressions and test sends', () => {
    const header = readImportHeader(['email']);
    for (const raw of addresses) {
      const expected = normalizeEmail(raw);
      const fromSchema = Email.safeParse(raw);
      expect(fromSchema.success ? fromSchema.data : null, `Email ${raw}`).toBe(expected);
      const contact = ContactInput.safeParse({ email: raw });
      expect(contact.success ? contact.data.email : null, `ContactInput ${raw}`).toBe(expected);
      const row = readImportRow([raw], header);
      expect(row.ok ? row.contact.email : null, `import ${raw}`).toBe(expected);
      const testSend = CampaignTestSendInput.safeParse({ to: [raw] });
      expect(testSend.success ? testSend.data.to[0] : null, `test send ${raw}`).toBe(expected);
    }
  });
});
