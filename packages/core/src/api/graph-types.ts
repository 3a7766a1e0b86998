/**
 * The JSON of `GET /api/graph` and `GET /api/me`: the asset graph laid out by the server (cached
 * per project structure, so states are not in it: they come from `/api/assets`), and who is
 * calling. Types only.
 */
import type { ApiRole } from '../events/api-token-events.js';

/** One asset's box, in graph coordinates (0,0 at the top left). */
export interface GraphNodeBody {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One dependency, upstream to downstream, and the polyline the layout routed it along. */
export interface GraphEdgeBody {
  /** `<from>→<to>`. */
  id: string;
  from: string;
  to: string;
  /** The route's points in order, `[x, y]`, from the upstream box's edge to the downstream one's. */
  route: Array<[number, number]>;
}

/** The whole laid-out graph: every asset and every dependency between assets. */
export interface GraphBody {
  /** Names the structure laid out (asset names and edges): equal versions, equal layouts. */
  version: string;
  width: number;
  height: number;
  nodes: GraphNodeBody[];
  edges: GraphEdgeBody[];
}

/** Who the caller is: its token's name and role, or null in local mode (no token needed). */
export type MeBody = { token: string; role: ApiRole } | null;
