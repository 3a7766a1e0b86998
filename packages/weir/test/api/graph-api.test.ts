/**
 * GET /api/graph (the asset graph laid out on the server by elkjs, in a worker) and GET /api/me,
 * in-process over a real project: every asset and edge is laid out, the layout is computed once
 * and shared (also by concurrent requests) until a model file changes the graph's structure, a
 * broken model fails the request with the loader's error and the next good edit recovers; in auth
 * mode both routes need a token, and /api/me names the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputsOf, type GraphBody, type MeBody } from '@weir/core';
import { AssetGraphLayouts } from '../../src/server/asset-graph-layouts.js';
import { createApiToken } from '../../src/server/api-tokens.js';
import { createServerApp } from '../../src/server/create-server-app.js';
import { openServerHarness, type ServerHarness } from './server-harness.js';
import { SHOP_ASSETS, shopFiles } from '../e2e/shop-fixture.js';
import { createWeirProject, type WeirTestProject } from '../e2e/weir-test-project.js';

let project: WeirTestProject;
let server: ServerHarness;
let graphs: AssetGraphLayouts;
let app: ReturnType<typeof createServerApp>;

beforeAll(async () => {
  // No build needed: the layout depends on the project's files only.
  project = await createWeirProject(shopFiles());
  server = await openServerHarness(project.root);
  graphs = new AssetGraphLayouts(server.view);
  app = createServerApp({ hub: server.hub, view: server.view, health: server.health, graphs });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await project?.cleanup();
});

async function getGraph(headers: Record<string, string> = {}): Promise<{ response: Response; body?: GraphBody }> {
  const response = await app.request('/api/graph', { headers });
  return { response, body: response.status === 200 ? ((await response.json()) as GraphBody) : undefined };
}

/** Every `upstream→downstream` edge between assets, from the loaded project itself. */
async function projectEdges(): Promise<string[]> {
  const loaded = await server.view.project();
  return [...loaded.assets.values()].flatMap((asset) => inputsOf(asset).filter((input) => loaded.assets.has(input)).map((input) => `${input}\u2192${asset.name}`)).sort();
}

describe('GET /api/graph', () => {
  it('lays out every asset and every edge between assets, with routes that join the boxes', async () => {
    const { response, body } = await getGraph();
    expect(response.status).toBe(200);
    expect(body!.nodes.map((node) => node.name).sort()).toEqual([...SHOP_ASSETS].sort());
    expect(body!.edges.map((edge) => edge.id).sort()).toEqual(await projectEdges());
    expect(body!.edges.map((edge) => edge.id)).toContain('orders\u2192revenue');
    const boxes = new Map(body!.nodes.map((node) => [node.name, node]));
    for (const node of body!.nodes) {
      expect(node.width).toBeGreaterThan(node.name.length * 5);
      expect(node.x + node.width).toBeLessThanOrEqual(body!.width);
      expect(node.y + node.height).toBeLessThanOrEqual(body!.height);
    }
    for (const edge of body!.edges) {
      expect(edge.route.length).toBeGreaterThanOrEqual(2);
      // Left to right: the route leaves the upstream box's right side and ends at the downstream box's left side.
      const [from, to] = [boxes.get(edge.from)!, boxes.get(edge.to)!];
      expect(edge.route[0]![0]).toBeCloseTo(from.x + from.width, 0);
      expect(edge.route.at(-1)![0]).toBeCloseTo(to.x, 0);
    }
    expect(response.headers.get('etag')).toBe(`"${body!.version}"`);
  });

  it('computes the layout once and reuses it; concurrent requests share one computation', async () => {
    const fresh = new AssetGraphLayouts(server.view);
    const [first, second, third] = await Promise.all([fresh.layout(), fresh.layout(), fresh.layout()]);
    expect(fresh.computations).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(await fresh.layout()).toBe(first);
    expect(fresh.computations).toBe(1);
  });

  it('answers 304 to a client that holds the current version', async () => {
    const { body } = await getGraph();
    const { response } = await getGraph({ 'if-none-match': `"${body!.version}"` });
    expect(response.status).toBe(304);
    expect((await getGraph({ 'if-none-match': '"stale"' })).response.status).toBe(200);
  });

  it('keeps the layout through an edit that leaves the structure alone, and lays out again when a model adds an edge', async () => {
    const before = await graphs.layout();
    const computations = graphs.computations;
    project.write({ 'models/status_counts.sql': '/*---\ntags: [core]\ndescription: edited\n---*/\nselect status, count(*) as orders\nfrom orders\ngroup by status\n' });
    expect(await graphs.layout()).toBe(before);
    expect(graphs.computations).toBe(computations);

    project.write({ 'models/calendar_orders.sql': 'select c.day, o.order_id from calendar c cross join orders o\n' });
    const { body } = await getGraph();
    expect(graphs.computations).toBe(computations + 1);
    expect(body!.version).not.toBe(before.body.version);
    expect(body!.nodes.map((node) => node.name)).toContain('calendar_orders');
    expect(body!.edges.map((edge) => edge.id)).toEqual(expect.arrayContaining(['calendar\u2192calendar_orders', 'orders\u2192calendar_orders']));
    expect(await graphs.layout()).toBe(await graphs.layout());
  });

  it('fails with the loader error on a broken model, and recovers on the next good edit', async () => {
    project.write({ 'models/broken.sql': '/*---\nchecks: [\n---*/\nselect 1\n' });
    const { response } = await getGraph();
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string; location?: { file: string } } };
    project.remove('models/broken.sql');
    expect(error.message).toContain('YAML');
    expect(error.location?.file).toContain('broken.sql');
    const recovered = await getGraph();
    expect(recovered.response.status).toBe(200);
    expect(recovered.body!.nodes.map((node) => node.name)).not.toContain('broken');
  });
});

describe('GET /api/me and the graph in auth mode', () => {
  it('answers null in local mode', async () => {
    expect(await server.get<MeBody>('/api/me')).toBeNull();
  });

  it("needs a token, and names the caller's token and role", async () => {
    const authApp = createServerApp({ hub: server.hub, view: server.view, health: server.health, graphs, auth: { required: true } });
    const { token } = await createApiToken(server.runtime.store, { name: 'graph-viewer', role: 'viewer', by: 'test@host' });
    expect((await authApp.request('/api/me')).status).toBe(401);
    expect((await authApp.request('/api/graph')).status).toBe(401);
    expect((await authApp.request('/api/me', { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    const me = await authApp.request('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ token: 'graph-viewer', role: 'viewer' });
    const graph = await authApp.request('/api/graph', { headers: { authorization: `Bearer ${token}` } });
    expect(graph.status).toBe(200);
  });
});
