import { getIntrospectionQuery, GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';

import { MAX_DOCUMENT_DEPTH, MAX_DOCUMENT_TOKENS, parseWithLimits } from './parse-limits';

/** A query whose selection sets nest `depth` levels. */
function nestedSelections(depth: number): string {
  return `${'{me'.repeat(depth - 1)}{id${'}'.repeat(depth)}`;
}

/** What the parse function throws for the source, if anything. */
function refusal(source: string, parseFn: (source: string) => unknown = parseWithLimits): unknown {
  try {
    parseFn(source);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('parseWithLimits', () => {
  it('parses the introspection query GraphiQL sends, with every option', () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });

    const document = parseWithLimits(query);

    expect(document).toEqual(parse(query));
  });

  it(`parses a document nesting ${MAX_DOCUMENT_DEPTH} levels`, () => {
    const document = parseWithLimits(nestedSelections(MAX_DOCUMENT_DEPTH));

    expect(document.definitions).toHaveLength(1);
  });

  it(`refuses a document nesting ${MAX_DOCUMENT_DEPTH + 1} levels with a GraphQLError`, () => {
    const err = refusal(nestedSelections(MAX_DOCUMENT_DEPTH + 1));

    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).message).toBe(
      `Syntax Error: Document nests brackets deeper than ${MAX_DOCUMENT_DEPTH} levels.`,
    );
  });

  it.each([
    ['selection sets', nestedSelections(100_000)],
    ['list values', `{f(a:${'['.repeat(100_000)}1${']'.repeat(100_000)})}`],
    ['object values', `{f(a:${'{a:'.repeat(100_000)}1${'}'.repeat(100_000)})}`],
    ['unclosed lists', `{f(a:${'['.repeat(100_000)}`],
    ['list types', `query($a:${'['.repeat(100_000)}Int${']'.repeat(100_000)}){f}`],
  ])('refuses 100000 nested %s without overflowing the stack', (_what, source) => {
    const err = refusal(source);

    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).message).toMatch(/nests brackets deeper/);
  });

  it('counts brackets in strings and comments as text', () => {
    const inString = `{f(a:"${'['.repeat(1000)}")}`;
    const inComment = `# ${'{'.repeat(1000)}\n{f}`;

    expect(parseWithLimits(inString).definitions).toHaveLength(1);
    expect(parseWithLimits(inComment).definitions).toHaveLength(1);
  });

  it(`refuses a document of more than ${MAX_DOCUMENT_TOKENS} tokens`, () => {
    const source = `{${'a '.repeat(MAX_DOCUMENT_TOKENS)}}`;

    const err = refusal(source);

    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).message).toMatch(`${MAX_DOCUMENT_TOKENS} tokens`);
  });

  it('refuses nesting that starts past the token limit for its tokens', () => {
    const source = `{f(a:[${'1 '.repeat(MAX_DOCUMENT_TOKENS)}${'['.repeat(100_000)}`;

    const err = refusal(source);

    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).message).toMatch(`${MAX_DOCUMENT_TOKENS} tokens`);
  });

  it('reports a lexical error in the words of graphql-js', () => {
    const source = '{ me { id } } $';

    const err = refusal(source);

    expect(err).toEqual(refusal(source, parse));
  });
});
