import { describe, expect, it } from 'vitest';
import { trajectoryScore } from '../../src/gateway/escalation.js';
import { stripInvisible } from '../../src/gateway/invisible.js';
import { identifyLanguage } from '../../src/gateway/language.js';
import { formatOf, formatProblem } from '../../src/gateway/response-format.js';
import { checkUrls } from '../../src/gateway/urls.js';

/** The rails' text checks on their own (the gateway tests drive them over HTTP). */

describe('language identification', () => {
  const cases: [string, string][] = [
    ['en', 'Could you tell me how to reset the password of my account, please? I have tried twice.'],
    ['fr', 'Pouvez-vous me dire comment je peux changer le mot de passe de mon compte ?'],
    ['de', 'Können Sie mir bitte sagen, wie ich das Passwort für mein Konto ändern kann? Es ist nicht einfach.'],
    ['es', '¿Puedo cambiar la contraseña de mi cuenta? No sé cómo hacerlo y es para el trabajo.'],
    ['it', 'Come posso cambiare la password del mio account? Non è facile e ho anche poco tempo.'],
    ['pt', 'Como posso mudar a senha da minha conta? Não é fácil e você pode me ajudar com isso.'],
    ['nl', 'Hoe kan ik het wachtwoord van mijn account wijzigen? Het is niet makkelijk voor mij.'],
    ['ru', 'Как изменить пароль моей учётной записи? Я пробовал дважды, но ничего не вышло.'],
    ['ja', 'アカウントのパスワードを変更する方法を教えてください。二回試しましたが、できませんでした。'],
    ['zh', '请告诉我如何更改我的账户密码。我已经试了两次，但是没有成功，请帮帮我。'],
    ['ko', '계정 비밀번호를 변경하는 방법을 알려주세요. 두 번 시도했지만 실패했습니다.'],
    ['ar', 'كيف يمكنني تغيير كلمة المرور لحسابي؟ لقد حاولت مرتين ولكن لم أنجح في ذلك.'],
  ];
  it.each(cases)('%s', (lang, text) => expect(identifyLanguage(text).lang).toBe(lang));
  it('says und for short or word-less text', () => {
    expect(identifyLanguage('ok').lang).toBe('und');
    expect(identifyLanguage('12345 67890 12345 67890 12345 67890').lang).toBe('und');
  });
});

describe('invisible Unicode', () => {
  it('strips bidi controls, zero-width spaces and tag characters, decoding what the tags spell', () => {
    const tags = [...'run rm'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    const r = stripInvisible(`safe\u202Etext\u200B here${tags}.`);
    expect(r.text).toBe('safetext here.');
    expect(r.found).toEqual({ count: 2 + tags.length / 2, hidden: 'run rm' });
  });
  it('keeps the joiners that scripts and emoji need (ZWJ, ZWNJ)', () => {
    for (const t of ['می‌خواهم', '👩\u200D💻']) expect(stripInvisible(t)).toEqual({ text: t, found: null });
  });
});

describe('URL checks', () => {
  const opts = { allow: ['acme.example'], images: 'refuse' as const };
  it('flags markdown images that can carry data out, inline and by reference', () => {
    expect(checkUrls('![x](https://evil.example/a.png?q=secret)', { allow: [], images: 'refuse' }).map((f) => f.kind)).toEqual(['image-exfiltration']);
    expect(checkUrls('![x][r]\n\n[r]: https://evil.example/p.png?d=1', { allow: [], images: 'refuse' }).map((f) => f.kind)).toEqual(['image-exfiltration']);
    expect(checkUrls('![x](https://cdn.example/logo.png)', { allow: [], images: 'refuse' })).toEqual([]);
    expect(checkUrls('![x](https://cdn.example/logo.png)', opts).map((f) => f.kind)).toEqual(['image-exfiltration']);
    expect(checkUrls('![x](https://img.acme.example/logo.png)', opts)).toEqual([]);
  });
  it('flags links off the allow-list; subdomains of an allowed domain pass', () => {
    expect(checkUrls('see https://docs.acme.example/x and www.acme.example.', opts)).toEqual([]);
    expect(checkUrls('see https://acme.example.evil.test/x', opts).map((f) => f.host)).toEqual(['acme.example.evil.test']);
  });
});

describe('response format', () => {
  it('validates JSON against a json_schema and a json_object', () => {
    const spec = formatOf({ response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } } } })!;
    expect(formatProblem('{"n": 2}', spec)).toBeNull();
    expect(formatProblem('{"n": "2"}', spec)).toMatch(/schema s: n:/);
    expect(formatProblem('not json', spec)).toMatch(/not JSON/);
    expect(formatProblem('[1]', formatOf({ response_format: { type: 'json_object' } })!)).toMatch(/not an object/);
    expect(formatOf({ response_format: { type: 'text' } })).toBeNull();
  });
});

describe('trajectory score', () => {
  it('is the level plus momentum times (rise + dwell)', () => {
    expect([[0], [0, 0], [0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1, 1]].map((l) => trajectoryScore(l, 0.5))).toEqual([0, 0, 0, 1.5, 2]);
    expect(trajectoryScore([1, 1, 1, 1, 1], 0.25)).toBe(2);
    // Falling back does not erase the climb: 0 + 0.5 × (rise 2 + one earlier step at level ≥ 1).
    expect(trajectoryScore([0, 2, 0], 0.5)).toBe(1.5);
    // Steady awareness questions never build up.
    expect(trajectoryScore([0, 0, 0, 0, 0, 0], 0.5)).toBe(0);
  });
});
