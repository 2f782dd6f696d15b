import { describe, expect, it } from 'vitest';
import { detectPii, ibanValid, luhnValid, redactPii } from '../../src/guard/pii.js';

const types = (t: string): string[] => detectPii(t).map((s) => s.type);

describe('PII detection', () => {
  it('checks card numbers with Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(types('card 4111 1111 1111 1111 please')).toEqual(['card']);
    expect(types('card 5500-0000-0000-0004')).toEqual(['card']);
    expect(types('card 4111 1111 1111 1112')).toEqual([]);
    expect(types('order number 1234567890123')).toEqual([]);
  });

  it('checks IBANs with mod-97 and the country length', () => {
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false); // one digit short
    expect(types('pay to DE89 3704 0044 0532 0130 00 today')).toEqual(['iban']);
    expect(types('pay to DE89 3704 0044 0532 0130 01 today')).toEqual([]);
  });

  it('finds US SSNs, UK NINOs and Canadian SINs (Luhn), not look-alikes', () => {
    expect(types('SSN 123-45-6789')).toEqual(['ssn']);
    expect(types('my social security number is 123456789')).toEqual(['ssn']);
    expect(types('SSN 000-45-6789 or 666-12-3456')).toEqual([]);
    expect(types('NI number AB 12 34 56 C')).toEqual(['nino']);
    expect(types('NI number GB 12 34 56 C')).toEqual([]);
    expect(types('SIN 130 692 544')).toEqual(['sin']);
    expect(types('SIN 130 692 545')).toEqual([]);
  });

  it('finds emails, phones and IP addresses', () => {
    expect(types('mail a.b+c@mail.example.co.uk now')).toEqual(['email']);
    expect(types('call +44 20 7946 0958 or (415) 555-0132')).toEqual(['phone', 'phone']);
    expect(types('host 10.0.0.12 and 2001:db8::8a2e:370:7334')).toEqual(['ip', 'ip']);
    expect(types('version 1.2.3.4.5 at 12:30:45, score 999.1.1.1')).toEqual([]);
  });

  it('finds API keys, JWTs, private keys and high-entropy secrets, not ordinary words', () => {
    expect(types('key sk-proj-abcdefghijklmnopqrstuvwx123')).toEqual(['api_key']);
    expect(types('AKIAIOSFODNN7EXAMPLE')).toEqual(['api_key']);
    expect(types('token ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toEqual(['api_key']);
    expect(types('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toEqual(['jwt']);
    expect(types('-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----')).toEqual(['private_key']);
    expect(types('api_key="A8f9Kq2LmZ7xP0wR"')).toEqual(['secret']);
    expect(types('password: hunter22')).toEqual(['secret']);
    expect(types('the secret = aaaaaaaaaaaaaaaa')).toEqual([]); // low entropy
    expect(types('a skeleton key for the task')).toEqual([]);
  });

  it('finds street addresses and names by cue (heuristics)', () => {
    expect(types('ship it to 221B Baker Street, Apt 3 please')).toEqual(['address']);
    expect(types('Ich wohne in der Hauptstraße 5')).toEqual(['address']);
    expect(types('Dr. Alan Turing will attend')).toEqual(['name']);
    expect(types('Hello, my name is Jane Doe.')).toEqual(['name']);
    expect(types('the doctor will see you now')).toEqual([]);
  });

  it('redacts with placeholders and masks previews', () => {
    const r = redactPii('Jane: jane@example.com, card 4111111111111111, key sk-abcdefghijklmnopqrstuvwxyz');
    expect(r.text).toBe('Jane: [EMAIL], card [CARD], key [API_KEY]');
    expect(r.spans.map((s) => s.preview)).toEqual(['j********m', '…1111', '[api_key]']);
    for (const s of r.spans) expect(s.preview).not.toMatch(/example|abcdef/);
    expect(redactPii('nothing to see here')).toEqual({ text: 'nothing to see here', spans: [] });
    expect(redactPii('mail a@b.io, call 415-555-0132', { types: ['phone'] }).text).toBe('mail a@b.io, call [PHONE]');
  });
});
