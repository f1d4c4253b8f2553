import type { HttpApiEvent, RestApiEvent } from '../app/lambda/events'
import { encodePath, withAppPath } from '../app/lambda/paths'
import { httpApiEvent, restApiEvent } from './helpers/events'

/** The path each source hands over, turned into the path the app routes on (app/lambda/paths.ts). */
describe('encodePath', () => {
  it.each([
    ['an encoded path, unchanged', '/api/notes/caf%C3%A9%20x', '/api/notes/caf%C3%A9%20x'],
    ['sub-delimiters and colons, unchanged', "/a/b;c=d,e:f@g!$&'()*+", "/a/b;c=d,e:f@g!$&'()*+"],
    ['spaces and non-ASCII, encoded as UTF-8', '/n öpe x', '/n%20%C3%B6pe%20x'],
    ['a decoded ? or #, kept in the path', '/a?b#c', '/a%3Fb%23c'],
    ['a % that starts no escape', '/100%/x%4', '/100%25/x%254'],
  ])('%s', (_name, input, expected) => {
    expect(encodePath(input)).toBe(expected)
  })
})

describe('withAppPath', () => {
  const rest = (overrides: Partial<RestApiEvent>) => ({ ...restApiEvent({ method: 'GET', path: '/' }), ...overrides })

  it.each([
    [
      'a nested proxy resource keeps its prefix',
      { resource: '/api/{proxy+}', path: '/api/notes/x', pathParameters: { proxy: 'notes/x' } },
      '/api/notes/x',
    ],
    [
      'a custom domain base path is removed',
      { resource: '/{proxy+}', path: '/notes/api/notes/caf%C3%A9', pathParameters: { proxy: 'api/notes/café' } },
      '/api/notes/caf%C3%A9',
    ],
    ['the root resource behind a base path is /', { resource: '/', path: '/notes', pathParameters: null }, '/'],
    [
      'a named path parameter keeps the client’s encoding',
      { resource: '/api/notes/{id}', path: '/v1/api/notes/a%20b', pathParameters: { id: 'a b' } },
      '/api/notes/a%20b',
    ],
    ['a hand-made event without a resource falls back to path', { resource: undefined, path: '/health' }, '/health'],
  ])('REST API: %s', (_name, overrides, expected) => {
    const event = withAppPath(rest(overrides as Partial<RestApiEvent>))

    expect(event.path).toBe(expected)
    expect(event.pathParameters).toBeNull()
  })

  it.each([
    ['$default', '/health', '/health'],
    ['beta', '/beta/health', '/health'],
    ['beta', '/beta', '/'],
    ['beta', '/betamax/x', '/betamax/x'],
    ['beta', '/beta/no such', '/no%20such'],
  ])('HTTP API on stage %s: rawPath %s routes as %s', (stage, rawPath, expected) => {
    const event: HttpApiEvent = { ...httpApiEvent({ method: 'GET', path: '/' }, { stage }), rawPath }

    expect(withAppPath(event).rawPath).toBe(expected)
  })

  it('leaves the caller’s event and headers untouched', () => {
    const event = restApiEvent({ method: 'POST', path: '/api/notes', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    const before = JSON.stringify(event)

    const copy = withAppPath(event)
    ;(copy.headers as Record<string, string>)['content-length'] = '99'

    expect(JSON.stringify(event)).toBe(before)
  })
})

describe('withAppPath on a hostile resource', () => {
  const eventWith = (resource: string) => ({
    ...restApiEvent({ method: 'GET', path: '/x' }),
    resource,
    path: '/x',
    pathParameters: { proxy: 'x' },
  })

  /** The fastest of several runs, so a pause of the machine cannot make a linear scan look slow. */
  function fastestMs(resource: string): number {
    let best = Infinity
    for (let run = 0; run < 7; run++) {
      const started = performance.now()
      withAppPath(eventWith(resource))
      best = Math.min(best, performance.now() - started)
    }
    return best
  }

  it('when the resource grows fourfold, then the work grows about fourfold, not sixteenfold', () => {
    // A scan that restarts at every `{` costs n² (16x for 4x the input; 541 ms for 16,000 `{`); a linear one about 4x. The
    // bound sits between the two, far from both, and small inputs are not compared, where fixed costs rule.
    const small = fastestMs(`/${'{'.repeat(16_000)}x`)
    const large = fastestMs(`/${'{'.repeat(64_000)}x`)

    expect(large / Math.max(small, 0.05)).toBeLessThan(9)
  })

  it.each([
    ['/{proxy+}', { proxy: 'api/notes' }, '/api/notes'],
    ['/api/notes/{id}', { id: 'n1' }, '/api/notes/n1'],
    ['/api/{kind}/{id}', { kind: 'notes', id: 'n1' }, '/api/notes/n1'],
  ])('when the resource is %s, then its parameters fill it', (resource, pathParameters, expected) => {
    const event = { ...restApiEvent({ method: 'GET', path: expected }), resource, path: expected, pathParameters }

    expect(withAppPath(event).path).toBe(expected)
  })
})
