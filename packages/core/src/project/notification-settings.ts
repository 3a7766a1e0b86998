/**
 * The `notifications:` section of weir.yaml: its zod shape, and its conversion into
 * {@link NotificationSpec}s with every problem placed at its file:line. Secrets stay out of every
 * message: a URL is shown as written (its `${VAR}` references unresolved), never as resolved.
 * Unlike the rest of weir.yaml, a variable that is not set is no load error here (see
 * {@link WebhookTarget.missing}).
 * Selections are checked once the asset graph exists (`validateNotificationSelections`).
 */
import * as z from 'zod';
import { didYouMean } from '../errors/closest-name.js';
import { WeirError, type SourceLocation } from '../errors/weir-error.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { selectAssets } from '../graph/select-assets.js';
import type { Locator } from './config-issues.js';
import { resolveOutboundTarget } from './outbound-target.js';
import { NOTIFICATION_EVENT_KINDS, type NotificationEventKind } from '../events/notification-events.js';
import type { NotificationSpec, WebhookTarget } from './notification-specs.js';
import type { Project } from './project-model.js';
import { assetNameSchema, nonEmptyString, strictObject, stringOrList } from './strict-object.js';
import type { ValuePath } from './yaml-source.js';

/** What a notification is sent for when `on:` is not written: failures are what people must hear of. */
export const DEFAULT_NOTIFICATION_EVENTS: readonly NotificationEventKind[] = ['run_failed'];


const eventKind = z.enum(NOTIFICATION_EVENT_KINDS);

const notificationSchema = strictObject({
  name: assetNameSchema,
  // A lone kind is a list of one; read as a list first so a bad kind is named by its position.
  on: z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(eventKind, { error: 'expected a list of events' }).min(1, { error: 'expected at least one event' })).optional(),
  webhook: strictObject({
    url: nonEmptyString,
    headers: z.record(z.string(), z.string({ error: 'expected a text value' }), { error: 'expected a mapping of header names to values' }).optional(),
  }),
  select: stringOrList.optional(),
});

/** `notifications:` of weir.yaml. */
export const notificationsSchema = z.array(notificationSchema, { error: 'expected a list of notifications' });

type NotificationEntry = z.output<typeof notificationSchema>;

/**
 * Turns the validated section into specs, resolving `${VAR}` references from `env` and checking
 * what zod cannot: references, the URL once resolved, header names and values, and names used
 * twice. The section reaches here as written (`readSettings` leaves its references), so the URL
 * as written is what messages show, and the texts that came from the environment are known.
 *
 * @example
 * ```ts
 * const { notifications, problems } = readNotifications(file.notifications, process.env, yamlLocator(source));
 * ```
 */
export function readNotifications(
  entries: NotificationEntry[] | undefined,
  env: Record<string, string | undefined>,
  locator: Locator,
): { notifications: NotificationSpec[]; problems: WeirError[] } {
  const problems: WeirError[] = [];
  const notifications = (entries ?? []).map((entry, index) => toNotification(entry, env, ['notifications', index], locator, problems));
  const seen = new Map<string, NotificationSpec>();
  for (const notification of notifications) {
    const first = seen.get(notification.name.toLowerCase());
    if (first === undefined) {
      seen.set(notification.name.toLowerCase(), notification);
      continue;
    }
    problems.push(
      new WeirError('CONFIG_INVALID', `notification "${notification.name}" has the same name as the one at line ${first.location.line}`, {
        location: notification.location,
        hint: 'notification names are unique (ignoring case): the event log names deliveries by them',
      }),
    );
  }
  return { notifications, problems };
}

function toNotification(entry: NotificationEntry, env: Record<string, string | undefined>, at: ValuePath, locator: Locator, problems: WeirError[]): NotificationSpec {
  const label = `notification "${entry.name}"`;
  const on = entry.on === undefined ? [...DEFAULT_NOTIFICATION_EVENTS] : [...new Set(entry.on)];
  const webhook = toWebhook(entry, env, (where, variable) =>
    problems.push(
      new WeirError('CONFIG_INVALID', `${label}: "\${${variable}}" is not a valid environment variable reference`, {
        location: locator.locate([...at, 'webhook', ...where]),
        hint: 'write ${NAME} with letters, digits and _ (and $${ for a literal ${)',
      }),
    ),
  );
  // With a variable not set the resolved text is incomplete: nothing to judge until it is set.
  if (webhook.missing.length === 0) checkWebhook(webhook, label, [...at, 'webhook'], locator, problems);
  const fieldLocations: Record<string, SourceLocation> = {};
  (entry.select ?? []).forEach((_, index) => (fieldLocations[`select[${index}]`] = locator.locate([...at, 'select', index])));
  return {
    name: entry.name,
    on,
    webhook,
    ...(entry.select === undefined ? {} : { selection: { select: [...entry.select], exclude: [] } }),
    location: locator.locate(at),
    fieldLocations,
  };
}

function toWebhook(entry: NotificationEntry, env: Record<string, string | undefined>, malformed: (where: ValuePath, variable: string) => void): WebhookTarget {
  return resolveOutboundTarget(entry.webhook.url, entry.webhook.headers, env, malformed);
}

/** The URL must be http(s) without credentials, and every header one fetch accepts. */
function checkWebhook(webhook: WebhookTarget, label: string, at: ValuePath, locator: Locator, problems: WeirError[]): void {
  const url = parseUrl(webhook.url);
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    problems.push(
      new WeirError('CONFIG_INVALID', `${label}: webhook url "${webhook.shownUrl}" is not an http(s) URL${webhook.shownUrl === webhook.url ? '' : ' once its environment variables are resolved'}`, {
        location: locator.locate([...at, 'url']),
        hint: 'write a full URL such as https://hooks.example.com/weir (a secret part may come from ${VAR})',
      }),
    );
  } else if (url.username !== '' || url.password !== '') {
    // fetch refuses credentials in the URL; say so now rather than at the first failed run.
    problems.push(
      new WeirError('CONFIG_INVALID', `${label}: webhook url carries a user name or password`, {
        location: locator.locate([...at, 'url']),
        hint: 'send credentials in a header instead: headers: { Authorization: "Bearer ${HOOK_TOKEN}" }',
      }),
    );
  }
  for (const [name, value] of Object.entries(webhook.headers)) {
    try {
      new Headers([[name, value]]);
    } catch {
      problems.push(
        new WeirError('CONFIG_INVALID', `${label}: header "${safeHeaderName(name)}" is not a valid HTTP header (name of letters, digits and -, value on one line)`, {
          location: locator.locate([...at, 'headers', name]),
          hint: 'check the header and the environment variable its value comes from',
        }),
      );
    }
  }
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** A header name is shown only when it is a plain token (it was written by hand, but may hold anything). */
function safeHeaderName(name: string): string {
  return /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/.test(name) ? name : '(name not shown)';
}

/**
 * Checks that every notification's `select` selects something real. Problems are
 * `SELECTION_INVALID` at the selector's file:line.
 *
 * @example
 * ```ts
 * problems.push(...validateNotificationSelections(project, buildAssetGraph(project)));
 * ```
 */
export function validateNotificationSelections(project: Project, graph: AssetGraph): WeirError[] {
  const problems: WeirError[] = [];
  for (const notification of project.notifications ?? []) {
    notification.selection?.select.forEach((selector, index) => {
      try {
        selectAssets(graph, project, { select: [selector], exclude: [] });
      } catch (error) {
        if (!(error instanceof WeirError) || error.code !== 'SELECTION_INVALID') throw error;
        const hint = error.hint ?? didYouMean(selector, project.assets.keys());
        problems.push(
          new WeirError('SELECTION_INVALID', `notification "${notification.name}": ${error.message}`, {
            location: notification.fieldLocations[`select[${index}]`] ?? notification.location,
            ...(hint === undefined ? {} : { hint }),
          }),
        );
      }
    });
  }
  return problems;
}
