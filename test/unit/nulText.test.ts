import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { refuseNulTextPlugin } from '../../lib/nulText.js';

/** The plugin a subgraph runs too: what it refuses, before any resolver (which would hand the text to SQL). */
describe('refuseNulTextPlugin', () => {
  const seen: string[] = [];
  const server = new ApolloServer({
    typeDefs: 'input Box { label: String, inner: [Box] } type Query { echo(text: String, box: Box): String }',
    resolvers: { Query: { echo: (_: unknown, args: { text?: string }) => (seen.push(args.text ?? ''), args.text ?? 'box') } },
    plugins: [refuseNulTextPlugin()],
  });

  it.each<[string, { query: string; variables?: Record<string, unknown> }]>([
    ['an inline string', { query: '{ echo(text: "a\\u0000b") }' }],
    ['a variable', { query: 'query ($t: String) { echo(text: $t) }', variables: { t: '\u0000' } }],
    ['a string deep in an input object', { query: 'query ($b: Box) { echo(box: $b) }', variables: { b: { inner: [{ inner: [{ label: 'x\u0000' }] }] } } }],
    ['an unused variable', { query: '{ echo(text: "fine") }', variables: { unused: ['\u0000'] } }],
  ])('refuses %s with HTTP 400 BAD_USER_INPUT', async (_name, request) => {
    const { http, body } = await server.executeOperation(request);
    expect(http.status).toBe(400);
    expect(body.kind === 'single' && body.singleResult.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(seen).toEqual([]);
  });

  it('lets any other text through, escapes and all', async () => {
    const { body } = await server.executeOperation({ query: 'query ($t: String) { echo(text: $t) }', variables: { t: 'ñandú \\u0000 \u0001' } });
    expect(body.kind === 'single' && body.singleResult).toEqual({ data: { echo: 'ñandú \\u0000 \u0001' } });
  });
});
