/**
 * The two rules behind the server's access control: which addresses allow local mode (anything
 * else always requires tokens) and the least role each route needs.
 */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, roleNeeded } from './auth.js';

describe('isLoopbackHost', () => {
  it('treats only addresses this machine alone can reach as loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', 'localhost.example.com', '128.0.0.1', '127.0.0.1.nip.io']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('roleNeeded', () => {
  it('reads need a viewer, starting and cancelling runs and rollback an editor, anything else an admin', () => {
    expect(roleNeeded('GET', '/api/runs')).toBe('viewer');
    expect(roleNeeded('GET', '/api/assets/orders')).toBe('viewer');
    expect(roleNeeded('HEAD', '/api/project')).toBe('viewer');
    expect(roleNeeded('POST', '/api/runs')).toBe('editor');
    expect(roleNeeded('POST', '/api/runs/r-1/cancel')).toBe('editor');
    expect(roleNeeded('POST', '/api/runs/r-1/cancel/more')).toBe('admin');
    expect(roleNeeded('DELETE', '/api/runs')).toBe('admin');
    expect(roleNeeded('PUT', '/api/runs/r-1/cancel')).toBe('admin');
    expect(roleNeeded('POST', '/api/assets/orders/rollback')).toBe('editor');
    expect(roleNeeded('POST', '/api/assets/orders/rollback/more')).toBe('admin');
    expect(roleNeeded('DELETE', '/api/assets/orders/rollback')).toBe('admin');
  });
});
