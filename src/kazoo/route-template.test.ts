import { describe, expect, it } from 'vitest';
import { routeTemplate } from './route-template.js';

const ID = '0123456789abcdef0123456789abcdef';

describe('route templates', () => {
  it.each([
    [`/v2/accounts/${ID}/devices`, '/v2/accounts/{id}/devices'],
    [`/v2/accounts/${ID}/devices/${ID}/sync`, '/v2/accounts/{id}/devices/{id}/sync'],
    [`/v2/accounts/${ID}/devices/${ID}/quickcall/%2B14155550123`, '/v2/accounts/{id}/devices/{id}/quickcall/{number}'],
    [`/v2/accounts/${ID}/users/${ID}/devices?paginate=false`, '/v2/accounts/{id}/users/{id}/devices'],
    ['/v2/user_auth', '/v2/user_auth'],
    ['/v2/accounts/Not-An-Id/devices', '/v2/accounts/{value}/devices'],
  ])('%s is counted as %s', (path, template) => {
    expect(routeTemplate(path)).toBe(template);
  });
});
