// The route template of a Crossbar path, for metrics and logs: ids and dialled numbers replaced by placeholders,
// so `/v2/accounts/4f…/devices/9a…` is counted as `/v2/accounts/{id}/devices/{id}` and label values stay few.
import { isKazooId } from './paths.js';

const RESOURCE_NAME = /^[a-z_]{1,40}$/;

export function routeTemplate(path: string): string {
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
