/** `/api/project` and `/api/openapi.json`: what the project is, and the API's own description. */
import { Hono } from 'hono';
import type { ProjectBody } from '@weir/core';
import type { ProjectView } from '../project-view.js';
import { openApiDocument } from './openapi-document.js';

/**
 * The project and OpenAPI routes.
 *
 * @example
 * ```ts
 * app.route('/api', projectRoutes(view));
 * ```
 */
export function projectRoutes(view: ProjectView): Hono {
  const routes = new Hono();
  routes.get('/project', async (context) => {
    const project = await view.project();
    const body: ProjectBody = {
      name: project.name,
      environment: project.environment,
      engine: project.warehouse.engine,
      state: project.state.store,
      assets: project.assets.size,
      schedules: project.schedules?.length ?? 0,
      sensors: project.sensors?.length ?? 0,
    };
    return context.json(body);
  });
  routes.get('/openapi.json', (context) => context.json(openApiDocument()));
  return routes;
}
