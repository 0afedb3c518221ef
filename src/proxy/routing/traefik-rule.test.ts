import { describe, expect, it } from 'vitest';
import { parseTraefikRule, type RuleAlternative } from './traefik-rule.js';

describe('parseTraefikRule', () => {
  it.each<[string, RuleAlternative[]]>([
    ['Host(`api.example.com`)', [{ hosts: ['api.example.com'], paths: ['/'] }]],
    ['Host(`a.com`) && PathPrefix(`/api`)', [{ hosts: ['a.com'], paths: ['/api'] }]],
    ['PathPrefix(`/api`) && Host(`a.com`)', [{ hosts: ['a.com'], paths: ['/api'] }]],
    ['Host(`a.com`, `b.com`)', [{ hosts: ['a.com', 'b.com'], paths: ['/'] }]],
    ['Host(`a.com`) || Host(`b.com`)', [{ hosts: ['a.com', 'b.com'], paths: ['/'] }]],
    ['(Host(`a.com`) || Host(`b.com`)) && PathPrefix(`/p`)', [{ hosts: ['a.com', 'b.com'], paths: ['/p'] }]],
    ['Host(`a.com`) && PathPrefix(`/a`) || Host(`b.com`) && PathPrefix(`/b`)', [
      { hosts: ['a.com'], paths: ['/a'] }, { hosts: ['b.com'], paths: ['/b'] },
    ]],
    ['PathPrefix(`/static`)', [{ hosts: [], paths: ['/static'] }]],
    ['PathPrefix(`/a`, `/b`)', [{ hosts: [], paths: ['/a', '/b'] }]],
    ['Host(`a.com`) || PathPrefix(`/x`)', [{ hosts: ['a.com'], paths: ['/'] }, { hosts: [], paths: ['/x'] }]],
    ['PathPrefix(`/x`) || Host(`a.com`) && PathPrefix(`/x`)', [{ hosts: [], paths: ['/x'] }]],
    ['Host("a.com") && PathPrefix(\'/q\')', [{ hosts: ['a.com'], paths: ['/q'] }]],
    ['  host(`a.com`)  ', [{ hosts: ['a.com'], paths: ['/'] }]],
  ])('reads %s', (rule, alternatives) => {
    expect(parseTraefikRule(rule)).toEqual({ ok: true, alternatives });
  });

  it.each([
    ['HostRegexp(`{sub:[a-z]+}.example.com`)', 'the matcher HostRegexp(…) is not supported'],
    ['Host(`a.com`) && Headers(`X-A`, `1`)', 'the matcher Headers(…) is not supported'],
    ['Path(`/exact`)', 'the matcher Path(…) is not supported'],
    ['Host(`a.com`) && !PathPrefix(`/admin`)', 'negation (!) is not supported'],
    ['Host(`a.com`) && Host(`b.com`)', 'two Host(…) matchers joined by && are not supported'],
    ['Host(`a.com`', 'expected "," or ")" in Host(…)'],
    ['(Host(`a.com`)', 'expected ")"'],
    ['Host(a.com)', 'unexpected text at column 7: ".com)"'],
    ['Host()', 'Host() needs at least one argument'],
    ['', 'expected a matcher like Host(`example.com`), found the end'],
    ['Host(`a.com`) Host(`b.com`)', 'unexpected "Host" after the end of the rule'],
  ])('refuses %s: %s', (rule, reason) => {
    expect(parseTraefikRule(rule)).toEqual({ ok: false, reason });
  });
});
