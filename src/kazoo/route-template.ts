// The route template of a Crossbar path, for metrics and logs: ids and dialled numbers replaced by placeholders,
// so `/v2/accounts/4f…/devices/9a…` is counted as `/v2/accounts/{id}/devices/{id}` and label values stay few.
import { isKazooId } from './paths.js';

const RESOURCE_NAME = /^[a-z_]{1,40}$/;

/** Templates of paths seen lately: every Kazoo call asks for one (metrics, spans), mostly of the same few paths. */
const recent = new Map<string, string>();
const RECENT_PATHS = 1_000;

export function routeTemplate(path: string): string {
  let template = recent.get(path);
  if (template === undefined) {
    // Forgetting them all at once keeps this a plain map; the ids of the next thousand calls fill it again.
    if (recent.size >= RECENT_PATHS) recent.clear();
    template = templateOf(path);
    recent.set(path, template);
  }
  return template;
}

function templateOf(path: string): string {
  const segments = (path.split('?')[0] ?? '').split('/');
  return segments
    .map((segment, index) => {
      if (isKazooId(segment)) return '{id}';
      if (segments[index - 1] === 'quickcall') return '{number}';
      if (segment === '' || segment === 'v2' || RESOURCE_NAME.test(segment)) return segment;
      return '{value}';
    })
    .join('/');
}
