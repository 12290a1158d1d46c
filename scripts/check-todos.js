#!/usr/bin/env node
// Fails when a TODO names no issue, or when FIXME, XXX or HACK appears (STYLE.md 2.9).
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

const files = execFileSync('git', ['ls-files', '*.ts', '*.js', '*.mts'], { encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && file !== 'scripts/check-todos.js');

const problems = [];
for (const file of files) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const bad = /\b(FIXME|XXX|HACK)\b/.test(line) || /\bTODO\b(?!\(#\d+\))/.test(line);
      if (bad) problems.push(`${file}:${index + 1}: ${line.trim()}`);
    });
}

if (problems.length > 0) {
  process.stderr.write(`Marks without an issue number:\n${problems.join('\n')}\n`);
  process.exit(1);
}
