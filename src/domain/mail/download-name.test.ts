import { describe, expect, it } from 'vitest';

import { asciiFallback, downloadName, safeContentType } from './download-name';

describe('downloadName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\report.pdf', 'report.pdf'],
    ['.bashrc', 'bashrc'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['  spaced.txt  ', 'spaced.txt'],
  ])('reduces %j to %j', (filename, expected) => {
    const name = downloadName(filename, 'text/plain');

    expect(name).toBe(expected);
  });

  it.each([
    [null, 'image/png', 'attachment.png'],
    ['..', 'image/svg+xml', 'attachment.svg'],
    ['/', 'application/octet-stream', 'attachment.bin'],
    [null, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'attachment'],
  ])('names an unusable name %j of type %s %j', (filename, contentType, expected) => {
    const name = downloadName(filename, contentType);

    expect(name).toBe(expected);
  });

  it('cuts a very long name to 150 characters', () => {
    const name = downloadName(`${'a'.repeat(300)}.txt`, 'text/plain');

    expect(name).toHaveLength(150);
  });

  it('cuts a long name between code points, never through a surrogate pair', () => {
    const name = downloadName(`${'a'.repeat(149)}\u{1f600}.txt`, 'text/plain');

    expect(name).toBe(`${'a'.repeat(149)}\u{1f600}`);
    expect(() => encodeURIComponent(name)).not.toThrow();
  });

  it("replaces a lone surrogate in the sender's name", () => {
    const name = downloadName('half\ud800.txt', 'text/plain');

    expect(name).toBe('half\ufffd.txt');
  });
});

describe('safeContentType', () => {
  it.each([
    ['Image/PNG', 'image/png'],
    ['text/html\r\nX-Injected: 1', 'application/octet-stream'],
    ['text/plain; charset=utf-8', 'text/plain'],
    ['', 'application/octet-stream'],
  ])('turns %j into %j', (contentType, expected) => {
    const type = safeContentType(contentType);

    expect(type).toBe(expected);
  });
});

describe('asciiFallback', () => {
  it('drops accents and replaces what is left outside printable ASCII', () => {
    const fallback = asciiFallback('résumé "final" 100% 日本.pdf');

    expect(fallback).toBe('resume _final_ 100_ __.pdf');
  });
});
