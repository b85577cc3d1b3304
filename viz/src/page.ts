import type { Api } from './api';
import type { Lines } from './lines';
import type { Store } from './store';

/**
 * What the parts of the tracers' page share, made once in main.ts and passed to each part: the
 * API client, the store holding all the page's state, and the two message lines. The parts hold
 * no state of their own, so a unit test builds a Page with a stand-in client and checks the state.
 */

/** The calls of the API client the parts make (the tests stand in for these). */
export type PageApi = Pick<Api, 'login' | 'logout' | 'createTrace' | 'traceProgress' | 'cancelTrace' | 'tracePage' | 'recentTraces' | 'timeline' | 'hotspots' | 'stations' | 'cases' | 'createOutbreak' | 'outbreak' | 'clusters' | 'cluster' | 'dailyStats' | 'followups' | 'updateFollowup' | 'followupsExport'>;

export interface Page {
  readonly api: PageApi;
  readonly store: Store;
  readonly lines: Lines;
}
