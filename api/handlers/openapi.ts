import { handler } from '../context';
import { openApiDocument } from '../openapi';
import { routes } from '../routes';

export const openapi = handler(routes.openapi, async () => Promise.resolve({ body: openApiDocument() }));
