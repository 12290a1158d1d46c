/**
 * Names longer than this many code points are cut: well under the 255 bytes common file
 * systems allow for names in Latin scripts, and still readable for others.
 */
const MAX_NAME_CHARS = 150;

/** Extensions for types whose subtype is not already a usable extension. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/octet-stream': 'bin',
  'image/jpeg': 'jpg',
  'image/svg+xml': 'svg',
  'message/rfc822': 'eml',
  'text/calendar': 'ics',
  'text/plain': 'txt',
};

// An RFC 6838 type/subtype pair without parameters.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The stored media type without parameters, or application/octet-stream when malformed. */
export function safeContentType(contentType: string): string {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : 'application/octet-stream';
}

function defaultName(contentType: string): string {
  const type = safeContentType(contentType);
  const subtype = type.split('/')[1] ?? '';
  const extension = EXTENSIONS[type] ?? (/^[a-z0-9]{1,8}$/.test(subtype) ? subtype : '');
  return extension ? `attachment.${extension}` : 'attachment';
}

/**
 * A file name safe to offer for download: the sender's name reduced to its last path
 * segment with control characters removed and no leading dots (so it can neither climb out
 * of a folder nor hide), or `attachment.<ext>` from the type when nothing usable is left.
 */
export function downloadName(filename: string | null, contentType: string): string {
  const lastSegment = (filename ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment
    .toWellFormed()
    .replace(CONTROL, '')
    .trim()
    .replace(/^[.\s]+/, '');
  // Cut by code points: a cut through a surrogate pair leaves a name no header can encode.
  const name = Array.from(cleaned).slice(0, MAX_NAME_CHARS).join('').trim();
  return name || defaultName(contentType);
}

/** The name in printable ASCII, for clients that ignore RFC 5987's `filename*`. */
export function asciiFallback(name: string): string {
  // Quotes and backslashes need escapes that some clients undo wrongly, and some decode
  // percent escapes in this parameter.
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
}
