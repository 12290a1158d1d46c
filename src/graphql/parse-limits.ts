import {
  type DocumentNode,
  GraphQLError,
  Lexer,
  parse,
  type ParseOptions,
  Source,
  syntaxError,
  type Token,
  TokenKind,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Tokens a document may have. The largest documents this API expects, GraphiQL's
 * introspection query and the operations behind the REST routes, have under 250; the rest
 * leaves room for a client that batches many aliased fields.
 */
export const MAX_DOCUMENT_TOKENS = 5000;

/**
 * How deep brackets of any kind (`{`, `[`, `(`) may nest. The parser recurses once per level
 * and overflows the stack somewhere past 1500 levels; the deepest query of this schema nests
 * 6, GraphiQL's introspection query 10.
 */
export const MAX_DOCUMENT_DEPTH = 64;

const OPENERS: ReadonlySet<string> = new Set([
  TokenKind.BRACE_L,
  TokenKind.BRACKET_L,
  TokenKind.PAREN_L,
]);
const CLOSERS: ReadonlySet<string> = new Set([
  TokenKind.BRACE_R,
  TokenKind.BRACKET_R,
  TokenKind.PAREN_R,
]);

/** The next token, or null at a lexical error, which the parser reports in its own words. */
function nextToken(lexer: Lexer): Token | null {
  try {
    return lexer.advance();
  } catch (err) {
    if (err instanceof GraphQLError) return null;
    throw err;
  }
}

/**
 * Refuses a document that nests deeper than MAX_DOCUMENT_DEPTH, before the recursive parser
 * sees it. The lexer reads tokens in a loop, so this pass cannot overflow.
 */
function assertShallow(source: Source): void {
  const lexer = new Lexer(source);
  let depth = 0;

  // Past MAX_DOCUMENT_TOKENS, or at a lexical error, the parser itself refuses the document.
  for (let count = 0; count <= MAX_DOCUMENT_TOKENS; count += 1) {
    const token = nextToken(lexer);
    if (!token || token.kind === TokenKind.EOF) return;

    // A stray closer stops the parser where it stands, so depth never needs to go below 0.
    if (CLOSERS.has(token.kind)) depth = Math.max(0, depth - 1);
    if (!OPENERS.has(token.kind)) continue;
    depth += 1;
    if (depth > MAX_DOCUMENT_DEPTH) {
      const message = `Document nests brackets deeper than ${MAX_DOCUMENT_DEPTH} levels.`;
      throw syntaxError(source, token.start, message);
    }
  }
}

/** graphql-js's parse, refusing documents over MAX_DOCUMENT_TOKENS or MAX_DOCUMENT_DEPTH. */
export function parseWithLimits(source: string | Source, options?: ParseOptions): DocumentNode {
  const body = typeof source === 'string' ? new Source(source) : source;
  assertShallow(body);
  // maxLexicalTokens is the current name of graphql-js's maxTokens option, now deprecated.
  return parse(body, { ...options, maxLexicalTokens: MAX_DOCUMENT_TOKENS });
}

/**
 * Parses every document, over HTTP and graphql-ws alike, with {@link parseWithLimits}; a
 * refused document is a 400 GraphQL error instead of a stack overflow.
 */
export function useParseLimits(): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn(parseWithLimits);
    },
  };
}
