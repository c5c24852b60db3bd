import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities } from '../../src/lib/html-entities';

describe('decodeHtmlEntities', () => {
  it('decodes named, decimal and hex references', () => {
    expect(decodeHtmlEntities('Salt &amp; Pepper')).toBe('Salt & Pepper');
    expect(decodeHtmlEntities('Men&#8217;s T&#x2d;shirt &ndash; &quot;Blue&quot; &lt;L&gt; &eacute;t&eacute;')).toBe('Men’s T-shirt – "Blue" <L> été');
    expect(decodeHtmlEntities('&#039;quoted&#039; &#X1F600;')).toBe("'quoted' 😀");
  });

  it('decodes exactly once: double-escaped text keeps its second layer', () => {
    expect(decodeHtmlEntities('&amp;amp;')).toBe('&amp;');
    expect(decodeHtmlEntities('&amp;#8217;')).toBe('&#8217;');
    expect(decodeHtmlEntities(decodeHtmlEntities('&amp;lt;'))).toBe('<');
  });

  it('leaves what is not a reference as it is', () => {
    for (const text of ['AT&T', 'a & b', '&unknown;', '&amp', '&#;', '&#x;', 'Fish &Chips;', '&#12345678;', '&averyveryverylongname;']) {
      expect(decodeHtmlEntities(text)).toBe(text);
    }
  });

  it('turns a number that is not a character into U+FFFD', () => {
    expect(decodeHtmlEntities('a&#0;b&#xD800;c&#x110000;')).toBe('a\uFFFDb\uFFFDc\uFFFD');
  });

  it('stays linear on hostile input', () => {
    const hostile = '&#'.repeat(200_000) + '&amp;'.repeat(100_000);
    const started = Date.now();
    expect(decodeHtmlEntities(hostile)).toHaveLength(400_000 + 100_000);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
