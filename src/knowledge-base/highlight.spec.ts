import { highlight } from './highlight.js';

describe('highlight', () => {
  it('marks words matching a query term after stemming, case kept', () => {
    expect(highlight('Resetting your Password takes a minute.', 'reset password')).toBe('<mark>Resetting</mark> your <mark>Password</mark> takes a minute.');
  });

  it('escapes HTML in the article text, marked or not', () => {
    expect(highlight('Use <script>alert(1)</script> & "password"', 'password script')).toBe(
      'Use &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &amp; &quot;<mark>password</mark>&quot;',
    );
  });

  it('marks nothing for stop words or a query without terms', () => {
    expect(highlight('The invoice is here', 'the is')).toBe('The invoice is here');
    expect(highlight('a < b', '?!')).toBe('a &lt; b');
  });
});
