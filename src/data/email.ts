// Plain text from a raw mail message (RFC 5322 with MIME): the decoded Subject and the readable body.
// It covers what the SpamAssassin corpus contains: folded headers, RFC 2047 encoded words, multipart
// bodies (RFC 2046), quoted-printable and base64 transfer encodings, the charsets TextDecoder supports,
// and HTML bodies reduced to their text. Attachments (images, applications) contribute no text.
//
// The parser works on a "byte string" (one UTF-16 code unit per byte, 0–255), because a message is
// bytes in several charsets: the headers and MIME structure are ASCII, and each text part is decoded
// from its own bytes with its own charset only at the end.

/** The text parts of one message, each with its whitespace collapsed to single spaces. */
export interface MailText {
  subject: string;
  body: string;
}

/** Header fields by lower-case name, each the first occurrence with its folding removed. */
type HeaderFields = Map<string, string>;

interface ContentType {
  /** Lower-case "type/subtype", e.g. "text/plain". */
  mediaType: string;
  /** Parameters by lower-case name, values unquoted, e.g. charset and boundary. */
  parameters: Map<string, string>;
}

/** Nesting depth beyond which multipart and message/rfc822 parts are ignored, against crafted input. */
const MAX_MIME_DEPTH = 8;

/**
 * Extracts the decoded Subject and the readable body of a raw message, given as its bytes or as a
 * string (which is encoded to UTF-8 first). Lines may end in LF or CRLF. A leading mbox "From " line
 * is skipped.
 */
export function parseMail(raw: Uint8Array | string): MailText {
  let bytes: Uint8Array;
  if (raw instanceof Uint8Array) {
    bytes = raw;
  } else if (typeof raw === 'string') {
    bytes = new TextEncoder().encode(raw);
  } else {
    throw new TypeError(`parseMail expects the raw message as a Uint8Array or a string; got ${typeof raw}.`);
  }
  const { fields, body } = splitHeaderAndBody(bytesToByteString(bytes).replace(/\r\n?/g, '\n'));
  const subject = collapseWhitespace(decodeHeaderValue(fields.get('subject') ?? ''));
  return { subject, body: collapseWhitespace(extractPartText(fields, body, 0)) };
}

/** Maps each byte to the code unit of the same value. */
export function bytesToByteString(bytes: Uint8Array): string {
  let text = '';
  // String.fromCharCode takes its arguments on the stack, so convert in chunks.
  for (let start = 0; start < bytes.length; start += 8192) {
    text += String.fromCharCode(...bytes.subarray(start, start + 8192));
  }
  return text;
}

/** Inverse of bytesToByteString; code units above 255 (never produced by it) keep their low byte. */
export function byteStringToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    bytes[i] = text.charCodeAt(i) & 0xff;
  }
  return bytes;
}

/** Replaces every run of whitespace (line breaks and no-break spaces included) with one space, and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Splits a message or MIME part at its first empty line. Continuation lines (starting with a space
 * or tab) are unfolded into the field above them. Lines without a colon, such as the mbox "From "
 * separator, are skipped.
 */
function splitHeaderAndBody(text: string): { fields: HeaderFields; body: string } {
  const fields: HeaderFields = new Map();
  const lines = text.split('\n');
  let name: string | null = null;
  let value = '';
  let lineIndex = 0;

  const store = (): void => {
    if (name !== null && !fields.has(name)) {
      fields.set(name, value.trim());
    }
  };

  for (; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex];
    if (line.trim() === '') {
      lineIndex++;
      break;
    }
    if ((line[0] === ' ' || line[0] === '\t') && name !== null) {
      value += ' ' + line.trim();
      continue;
    }
    store();
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
      name = null;
      continue;
    }
    name = line.slice(0, colon).toLowerCase();
    value = line.slice(colon + 1);
  }
  store();
  return { fields, body: lines.slice(lineIndex).join('\n') };
}

/** Parses a Content-Type value; a missing or malformed one means text/plain, as RFC 2045 specifies. */
function parseContentType(value: string | undefined): ContentType {
  const parameters = new Map<string, string>();
  if (value === undefined) {
    return { mediaType: 'text/plain', parameters };
  }
  const mediaMatch = /^\s*([a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+)/i.exec(value);
  const mediaType = mediaMatch ? mediaMatch[1].toLowerCase() : 'text/plain';
  for (const match of value.matchAll(/;\s*([a-z0-9*_.-]+)\s*=\s*(?:"([^"]*)"|([^;\s]*))/gi)) {
    const key = match[1].toLowerCase();
    if (!parameters.has(key)) {
      parameters.set(key, match[2] ?? match[3]);
    }
  }
  return { mediaType, parameters };
}

/**
 * Returns the readable text of one message or MIME part. From multipart/alternative it takes the
 * first text/plain part with text (else the first part with any text), because plain text is what
 * the tokenizer reads best. Every other multipart type joins the text of all its parts.
 */
function extractPartText(fields: HeaderFields, body: string, depth: number): string {
  if (depth > MAX_MIME_DEPTH) {
    return '';
  }
  const contentTypeValue = fields.get('content-type') ?? guessUntypedMultipart(body);
  const { mediaType, parameters } = parseContentType(contentTypeValue);
  const transferEncoding = fields.get('content-transfer-encoding');

  if (mediaType.startsWith('multipart/')) {
    const boundary = parameters.get('boundary');
    const parts = boundary ? splitMultipart(body, boundary) : null;
    if (parts === null) {
      // No usable boundary: the body is all there is, so read it as plain text.
      return decodeBytes(byteStringToBytes(undoTransferEncoding(body, transferEncoding)), undefined);
    }
    const texts = parts.map((part) => {
      const split = splitHeaderAndBody(part);
      return { mediaType: parseContentType(split.fields.get('content-type')).mediaType, text: extractPartText(split.fields, split.body, depth + 1) };
    });
    if (mediaType === 'multipart/alternative') {
      const chosen = texts.find((part) => part.mediaType === 'text/plain' && part.text.trim() !== '') ?? texts.find((part) => part.text.trim() !== '');
      return chosen?.text ?? '';
    }
    return texts.map((part) => part.text).filter((text) => text.trim() !== '').join('\n');
  }

  if (mediaType === 'message/rfc822') {
    const nested = splitHeaderAndBody(undoTransferEncoding(body, transferEncoding));
    const nestedSubject = decodeHeaderValue(nested.fields.get('subject') ?? '');
    return [nestedSubject, extractPartText(nested.fields, nested.body, depth + 1)].filter((text) => text.trim() !== '').join('\n');
  }

  const disposition = fields.get('content-disposition') ?? '';
  const isAttachment = /^\s*attachment/i.test(disposition);
  const isText = mediaType === 'text/plain' || mediaType === 'text/html' || mediaType === 'text/enriched';
  if (!isText || isAttachment) {
    return '';
  }

  const text = decodeBytes(byteStringToBytes(undoTransferEncoding(body, transferEncoding)), parameters.get('charset'));
  if (mediaType === 'text/html' || (contentTypeValue === undefined && looksLikeHtml(text))) {
    return htmlToText(text);
  }
  if (mediaType === 'text/enriched') {
    return text.replace(/<\/?[a-z]+>/gi, '');
  }
  return text;
}

/**
 * Returns a multipart Content-Type for a body without one whose first line is a delimiter followed
 * by a part header (some corpus messages lost their top-level MIME headers), else undefined.
 */
function guessUntypedMultipart(body: string): string | undefined {
  const match = /^\s*--([^\s]+)\n(?:content-[a-z-]+):/i.exec(body.slice(0, 1000));
  return match ? `multipart/mixed; boundary="${match[1]}"` : undefined;
}

/**
 * Tells whether a body without a Content-Type is HTML. Bulk mail often sends HTML untyped, which
 * RFC 2045 would make text/plain. Three or more typical tags are required, so that plain text
 * quoting "<http://...>" or a stray "<p>" stays text.
 */
function looksLikeHtml(text: string): boolean {
  const tags = text.match(/<\/?(?:html|body|table|tr|td|font|img|a|br|p|div|center|b)\b[^>]*>/gi);
  return tags !== null && tags.length >= 3;
}

/**
 * Returns the parts between the delimiter lines "--boundary" and the close delimiter
 * "--boundary--" (the preamble and epilogue are dropped), or null when no delimiter line occurs.
 * A message cut before its close delimiter keeps its last part.
 */
function splitMultipart(body: string, boundary: string): string[] | null {
  const delimiter = '--' + boundary;
  const parts: string[] = [];
  let current: string[] | null = null;

  for (const line of body.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === delimiter + '--') {
      if (current !== null) {
        parts.push(current.join('\n'));
      }
      if (trimmed !== delimiter) {
        return parts;
      }
      current = [];
      continue;
    }
    current?.push(line);
  }

  if (current === null) {
    return null;
  }
  parts.push(current.join('\n'));
  return parts;
}

/** Undoes a Content-Transfer-Encoding on a byte string; 7bit, 8bit, binary and unknown ones pass through. */
function undoTransferEncoding(body: string, encoding: string | undefined): string {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === 'base64') {
    return bytesToByteString(decodeBase64(body));
  }
  if (name === 'quoted-printable') {
    return decodeQuotedPrintable(body);
  }
  return body;
}

/** Decodes base64, skipping characters outside the alphabet (line breaks, stray spaces) as RFC 2045 requires. */
export function decodeBase64(text: string): Uint8Array {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const value = base64Value(text.charCodeAt(i));
    if (value < 0) {
      if (text[i] === '=') {
        break;
      }
      continue;
    }
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

function base64Value(code: number): number {
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  if (code >= 97 && code <= 122) return code - 71; // a-z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  if (code === 43) return 62; // +
  if (code === 47) return 63; // /
  return -1;
}

/**
 * Decodes quoted-printable on a byte string: "=XX" becomes the byte 0xXX, and "=" at a line end
 * (soft line break) joins the lines. A "=" followed by anything else is kept, as RFC 2045 suggests.
 */
export function decodeQuotedPrintable(text: string): string {
  return text.replace(/=[ \t]*\n/g, '').replace(/=([0-9a-fA-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const decoders = new Map<string, TextDecoder>();

function decoderFor(label: string, fatal: boolean): TextDecoder | null {
  const key = `${label}|${fatal}`;
  let decoder = decoders.get(key);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label, { fatal });
    } catch {
      return null;
    }
    decoders.set(key, decoder);
  }
  return decoder;
}

/**
 * Decodes bytes with a MIME charset label. An unknown or missing label means UTF-8 when the bytes are
 * valid UTF-8, else windows-1252.
 */
export function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? '').trim().replace(/^["']|["']$/g, '').toLowerCase();
  const named = label === '' ? null : decoderFor(label, false);
  if (named !== null) {
    return named.encoding === 'windows-1252' ? decodeWindows1252(bytes) : named.decode(bytes);
  }
  try {
    return decoderFor('utf-8', true)!.decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Code points of the windows-1252 bytes 0x80–0x9F (WHATWG Encoding Standard, index-windows-1252). */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

/**
 * Decodes windows-1252, the encoding that the labels us-ascii, iso-8859-1, latin1 and windows-1252 all
 * mean in the Encoding Standard. NOTE: Node's TextDecoder decodes it as ISO-8859-1 (0x93 becomes
 * U+0093, not “) from 20.18.3 to at least 20.20.2, unlike browsers, so the corpus build avoids it.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  for (let start = 0; start < bytes.length; start += 8192) {
    const codes = Array.from(bytes.subarray(start, start + 8192), (byte) => (byte >= 0x80 && byte < 0xa0 ? WINDOWS_1252_HIGH[byte - 0x80] : byte));
    text += String.fromCharCode(...codes);
  }
  return text;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * Decodes a header value given as a byte string: RFC 2047 encoded words ("=?charset?B?...?=" and
 * "=?charset?Q?...?=") with their charset, and raw 8-bit text between them as UTF-8 when valid, else
 * windows-1252. Whitespace between two adjacent encoded words is dropped, as RFC 2047 requires.
 */
export function decodeHeaderValue(value: string): string {
  const joined = value.replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1');
  let output = '';
  let last = 0;
  for (const match of joined.matchAll(ENCODED_WORD)) {
    output += decodeBytes(byteStringToBytes(joined.slice(last, match.index)), undefined);
    // RFC 2231 allows a language after the charset: "us-ascii*en".
    const charset = match[1].split('*')[0];
    const payload = match[3];
    const bytes = match[2].toUpperCase() === 'B' ? decodeBase64(payload) : byteStringToBytes(decodeQuotedPrintable(payload.replace(/_/g, ' ')));
    output += decodeBytes(bytes, charset);
    last = match.index + match[0].length;
  }
  return output + decodeBytes(byteStringToBytes(joined.slice(last)), undefined);
}

/** Tags that start a new line of text in a browser; every other tag is removed without a space. */
const BLOCK_TAGS = /<\/?(?:p|div|br|hr|tr|td|th|li|ul|ol|dl|dt|dd|table|tbody|thead|h[1-6]|blockquote|center|pre|form|option|body|html)\b[^>]*>/gi;

/**
 * Reduces HTML to its visible text: comments, <head>, <script> and <style> go, block tags become line
 * breaks, other tags are removed (so "<b>F</b>REE" stays one word), and character references are decoded.
 */
export function htmlToText(html: string): string {
  return decodeHtmlEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<(head|script|style|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(BLOCK_TAGS, '\n')
      .replace(/<\/?[a-z!][^>]*>/gi, ''),
  );
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ',
  copy: '©', reg: '®', trade: '™', euro: '€', pound: '£', cent: '¢', yen: '¥', deg: '°', times: '×',
  middot: '·', bull: '•', hellip: '…', ndash: '–', mdash: '—',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»',
};

/**
 * Decodes numeric character references and the common named ones. Unknown names are left as written.
 * References to 0x80–0x9F mean the windows-1252 character, as the HTML standard specifies ("&#149;" is •).
 */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (match, reference: string) => {
    if (reference[0] === '#') {
      const code = reference[1] === 'x' || reference[1] === 'X' ? parseInt(reference.slice(2), 16) : parseInt(reference.slice(1), 10);
      const valid = Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      if (!valid) {
        return match;
      }
      return String.fromCodePoint(code >= 0x80 && code < 0xa0 ? WINDOWS_1252_HIGH[code - 0x80] : code);
    }
    return NAMED_ENTITIES[reference.toLowerCase()] ?? match;
  });
}
