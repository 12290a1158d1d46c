import iconv from 'iconv-lite';
import jschardet from 'jschardet';

/** Labels that say nothing about 8-bit bytes, so they never count as a declaration. */
const UNINFORMATIVE = /^(?:us-?ascii|ascii|utf-?8|7bit|8bit|binary|(?:unicode-1-1-)?utf-?7)$/i;

/** Charsets whose byte sequences have rules, so a clean decode is evidence for them. */
const MULTIBYTE = /^(?:gb|big5|euc|shift|sjis|x-sjis|cp9[35]|ks_c|x-gbk)/i;

/** Detector results below this confidence (0 to 1) are noise on short samples. */
const MIN_CONFIDENCE = 0.1;

/** A single-byte declaration loses only to a detector this sure of a multibyte charset. */
const OVERRIDE_CONFIDENCE = 0.9;

const FALLBACK_CHARSET = 'windows-1252';

/** Charset labels a message declares in its Content-Type parameters, in order, without repeats. */
export function declaredCharsets(raw: Buffer): string[] {
  const found = new Set<string>();
  for (const match of raw.toString('latin1').matchAll(/\bcharset\s*=\s*"?([\w.:+-]+)/gi)) {
    const label = match[1]?.toLowerCase();
    if (label && !UNINFORMATIVE.test(label) && iconv.encodingExists(label)) found.add(label);
  }
  return [...found];
}

/**
 * The charset to read 8-bit bytes that declare none: a charset the message declares elsewhere
 * when the bytes fit it, else the detector's best plausible guess, else Windows-1252.
 */
export function guessCharset(sample: Buffer, declared: readonly string[]): string {
  const detected = jschardet
    .detectAll(sample.toString('latin1'))
    .filter(({ encoding, confidence }) => confidence >= MIN_CONFIDENCE && isUsable(encoding))
    .filter(({ encoding }) => isPlausible(decodeBytes(sample, encoding)));
  const best = detected[0];

  for (const label of declared) {
    if (MULTIBYTE.test(label)) {
      if (isPlausible(decodeBytes(sample, label))) return label;
      continue;
    }
    const sureOfMultibyte =
      best && best.confidence >= OVERRIDE_CONFIDENCE && MULTIBYTE.test(best.encoding);
    if (!sureOfMultibyte) return label;
  }

  if (!best) return FALLBACK_CHARSET;
  // Mail that claims ISO-8859-1 is written in Windows-1252 in practice; the WHATWG Encoding
  // standard reads the one label as the other for the same reason.
  return /^iso-8859-1$/i.test(best.encoding) ? FALLBACK_CHARSET : best.encoding;
}

/** Decodes bytes in the given charset, falling back to Windows-1252 for an unknown label. */
export function decodeBytes(bytes: Buffer, charset: string): string {
  return iconv.decode(bytes, iconv.encodingExists(charset) ? charset : FALLBACK_CHARSET);
}

function isUsable(name: string): boolean {
  // The detector may name UTF-16/32 or ISO-2022 for a few stray bytes; 8-bit header and body
  // samples are never in those, so only ASCII-compatible charsets are worth trying.
  return !/^(?:utf|iso-2022|ascii)/i.test(name) && iconv.encodingExists(name);
}

/**
 * Rejects readings that no writer produces: invalid sequences, or one word that mixes Latin
 * letters with Cyrillic or Greek ("Formaзгo" is Latin-1 read as Windows-1251). Latin beside
 * Han, Kana or Hangul ("USBケーブル", "iPhone版") is ordinary CJK writing.
 */
function isPlausible(text: string): boolean {
  if (text.includes('\uFFFD')) return false;
  for (const word of text.match(/\p{L}+/gu) ?? []) {
    if (/\p{Script=Latin}/u.test(word) && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(word)) {
      return false;
    }
  }
  return true;
}
