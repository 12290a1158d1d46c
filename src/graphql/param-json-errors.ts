import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What a client sees when `variables` or `extensions` of a GET or form request is not JSON. */
const MESSAGE = 'The variables or extensions parameter is not valid JSON.';

/**
 * Yoga reads `variables` and `extensions` from a query string or a form body with JSON.parse
 * and lets its SyntaxError through, which would be masked as INTERNAL; a JSON body already
 * gets a 400 of its own. This makes the same mistake in parameters a 400 too.
 */
export function useParamJsonErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
          throw new GraphQLError(MESSAGE, { extensions: { http: { status: 400 } } });
        }
      });
    },
  };
}
