import { pingDatabase } from '../../engine/db';
import { handler } from '../context';
import { routes } from '../routes';

/** 200 only when Neo4j answers; never a 200 that hides a dead database. */
export const health = handler(routes.health, async ({ app }) => {
  try {
    await pingDatabase();
    app.db.down = false;
    return { body: { status: 'ok', database: 'up' } };
  } catch {
    app.db.down = true;
    return { status: 503, body: { status: 'unavailable', database: 'down' } };
  }
});
