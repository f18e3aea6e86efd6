import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBytes, decodeHeaderValue, decodeHtmlEntities, decodeWindows1252, htmlToText, parseMail } from './email';

/** Joins lines with CRLF, as mail on the wire has them. */
function crlf(...lines: string[]): string {
  return lines.join('\r\n');
}

/** Bytes of a message whose body is given as ISO-8859-1 bytes. */
function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

describe('parseMail headers', () => {
  it('unfolds a folded subject and skips the mbox line', () => {
    const mail = parseMail(crlf('From someone@example.com  Tue Aug  6 11:51:02 2002', 'Subject: Meeting', '\tmoved to Friday', 'From: a@example.com', '', 'See you.'));
    expect(mail.subject).toBe('Meeting moved to Friday');
    expect(mail.body).toBe('See you.');
  });

  it('keeps the first Subject field', () => {
    expect(parseMail('Subject: first\nSubject: second\n\nbody').subject).toBe('first');
  });

  it('returns empty parts for a message without subject or body', () => {
    expect(parseMail('From: a@example.com\n')).toEqual({ subject: '', body: '' });
  });

  it('decodes B and Q encoded words and joins adjacent ones', () => {
    expect(decodeHeaderValue('=?utf-8?B?R3LDvMOfZQ==?= =?iso-8859-1?Q?aus_K=F6ln?= now')).toBe('Grüßeaus Köln now');
    expect(decodeHeaderValue('Re: =?us-ascii*en?Q?hello_world?=')).toBe('Re: hello world');
  });

  it('decodes raw 8-bit subject bytes as UTF-8, else windows-1252', () => {
    const utf8 = new TextEncoder().encode('Subject: café\n\nx');
    expect(parseMail(utf8).subject).toBe('café');
    expect(parseMail(latin1Bytes('Subject: caf\xe9 \x80\n\nx')).subject).toBe('café €');
  });
});

describe('parseMail bodies', () => {
  it('decodes quoted-printable with soft line breaks and the charset', () => {
    const raw = latin1Bytes(
      crlf('Subject: qp', 'Content-Type: text/plain; charset="iso-8859-1"', 'Content-Transfer-Encoding: quoted-printable', '', 'Gr=FC=DFe aus K=', '=F6ln, 3 =3D 3'),
    );
    expect(parseMail(raw).body).toBe('Grüße aus Köln, 3 = 3');
  });

  it('decodes 8-bit bodies with their declared charset', () => {
    const raw = latin1Bytes('Content-Type: text/plain; charset=iso-8859-1\n\n\xa3160,000 from D\xe9ise');
    expect(parseMail(raw).body).toBe('£160,000 from Déise');
  });

  it('decodes a base64 UTF-8 body', () => {
    const encoded = Buffer.from('Привет, мир', 'utf8').toString('base64');
    const raw = `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${encoded.slice(0, 8)}\n${encoded.slice(8)}\n`;
    expect(parseMail(raw).body).toBe('Привет, мир');
  });

  it('prefers text/plain in multipart/alternative', () => {
    const raw = [
      'Content-Type: multipart/alternative; boundary="XYZ"',
      '',
      'This is a multi-part message in MIME format.',
      '--XYZ',
      'Content-Type: text/plain',
      '',
      'plain version',
      '--XYZ',
      'Content-Type: text/html',
      '',
      '<p>html version</p>',
      '--XYZ--',
      'epilogue',
    ].join('\n');
    expect(parseMail(raw).body).toBe('plain version');
  });

  it('falls back to html in multipart/alternative when plain is empty', () => {
    const raw = ['Content-Type: multipart/alternative; boundary=b1', '', '--b1', 'Content-Type: text/plain', '', '  ', '--b1', 'Content-Type: text/html', '', '<b>Buy</b> now', '--b1--'].join('\n');
    expect(parseMail(raw).body).toBe('Buy now');
  });

  it('joins text parts of multipart/mixed and skips attachments', () => {
    const raw = [
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="inner"',
      '',
      '--inner',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'first part',
      '--inner--',
      '--outer',
      'Content-Type: image/gif; name="x.gif"',
      'Content-Transfer-Encoding: base64',
      '',
      'R0lGODlhAQABAAAAACw=',
      '--outer',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'attached notes',
      '--outer',
      'Content-Type: text/plain',
      '',
      'second part',
      '--outer--',
    ].join('\n');
    expect(parseMail(raw).body).toBe('first part second part');
  });

  it('keeps the last part of a multipart body without close delimiter', () => {
    const raw = ['Content-Type: multipart/mixed; boundary="cut"', '', '--cut', '', 'only part'].join('\n');
    expect(parseMail(raw).body).toBe('only part');
  });

  it('reads a multipart body without delimiters as text', () => {
    expect(parseMail('Content-Type: multipart/mixed; boundary="missing"\n\njust text').body).toBe('just text');
  });

  it('detects a multipart body whose top-level headers were lost', () => {
    const raw = ['Subject: offer', '', '--part42', 'Content-Type: text/plain', '', 'inner text', '--part42--'].join('\n');
    expect(parseMail(raw).body).toBe('inner text');
  });

  it('reads nested message/rfc822 with its subject', () => {
    const raw = ['Content-Type: multipart/mixed; boundary=m', '', '--m', 'Content-Type: message/rfc822', '', 'Subject: inner subject', '', 'inner body', '--m--'].join('\n');
    expect(parseMail(raw).body).toBe('inner subject inner body');
  });

  it('converts text/html to text', () => {
    const raw = 'Content-Type: text/html\n\n<html><head><title>T</title><style>p{}</style></head><body><p>FREE&nbsp;<b>m</b>oney &amp; more</p><!-- hidden --><div>Click&#33;</div></body></html>';
    expect(parseMail(raw).body).toBe('FREE money & more Click!');
  });

  it('treats untyped bodies with several tags as html', () => {
    const raw = 'Subject: x\n\n<table><tr><td>Cheap <a href="http://x.example">pills</a></td></tr></table>';
    expect(parseMail(raw).body).toBe('Cheap pills');
  });

  it('keeps plain text that quotes angle brackets', () => {
    const raw = 'Subject: x\n\nSee <http://example.com> and <user@example.com>.';
    expect(parseMail(raw).body).toBe('See <http://example.com> and <user@example.com>.');
  });

  it('rejects input that is not a string or bytes', () => {
    expect(() => parseMail(42 as unknown as string)).toThrow(/Uint8Array or a string/);
  });
});

describe('email decoding helpers', () => {
  it('decodeBase64 skips characters outside the alphabet', () => {
    expect(new TextDecoder().decode(decodeBase64('aGVs\r\nbG8g d29y\nbGQ='))).toBe('hello world');
  });

  it('decodeHtmlEntities decodes named and numeric references', () => {
    expect(decodeHtmlEntities('&lt;a&gt; &#x41;&#66; &copy; &unknown; AT&T')).toBe('<a> AB © &unknown; AT&T');
  });

  it('decodeHtmlEntities maps 0x80-0x9F references as windows-1252', () => {
    expect(decodeHtmlEntities('&#149; &#x93;quoted&#148;')).toBe('• “quoted”');
  });

  it('decodeWindows1252 maps the 0x80-0x9F bytes', () => {
    expect(decodeWindows1252(Uint8Array.from([0x80, 0x85, 0x93, 0x94, 0x9f, 0x81, 0x41, 0xe9]))).toBe('€…“”Ÿ\u0081Aé');
  });

  it('decodeBytes treats latin1 labels as windows-1252', () => {
    expect(decodeBytes(Uint8Array.from([0x92, 0x73]), 'ISO-8859-1')).toBe('’s');
    expect(decodeBytes(Uint8Array.from([0x92, 0x73]), '"us-ascii"')).toBe('’s');
  });

  it('decodeBytes decodes other charsets with TextDecoder', () => {
    expect(decodeBytes(Uint8Array.from([0xc4, 0xe3, 0xba, 0xc3]), 'gb2312')).toBe('你好');
    expect(decodeBytes(Uint8Array.from([0xd0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]), 'koi8-r')).toBe('привет');
  });

  it('decodeBytes falls back for unknown labels', () => {
    expect(decodeBytes(new TextEncoder().encode('naïve'), 'x-unknown')).toBe('naïve');
    expect(decodeBytes(Uint8Array.from([0x6e, 0x61, 0xef, 0x76, 0x65]), 'default')).toBe('naïve');
  });

  it('decodeHtmlEntities keeps invalid code points', () => {
    expect(decodeHtmlEntities('&#xD800; &#0;')).toBe('&#xD800; &#0;');
  });

  it('htmlToText removes inline tags without spaces', () => {
    expect(htmlToText('<font color=red>V</font>iagra<br>line')).toBe('Viagra\nline');
  });
});
