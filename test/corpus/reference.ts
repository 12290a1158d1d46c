import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One line of the corpus's expected.jsonl (the fields the suite compares). */
export interface Reference {
  path: string;
  sha256: string;
  size: number;
  subject: string | null;
  from: { name: string; address: string }[];
  has_text_plain: boolean;
  has_text_html: boolean;
  text_preview: string;
}

/** Reads the reference values of every corpus message. */
export function readReference(corpusDir: string): Reference[] {
  return readFileSync(path.join(corpusDir, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Reference);
}
