import { listStations, upsertStations } from '../../engine/db';
import { forbidden, notFound } from '../../engine/errors';
import { narrowScope } from '../../engine/privacy/jurisdiction';
import { mayActAt } from '../authorize';
import { passagesAtStation } from '../../engine/privacy/scoped';
import { maskedIdentities } from '../../engine/privacy/visibility';
import { isoUtc } from '../../engine/time';
import type { Station } from '../../engine/types';
import { handler } from '../context';
import { fieldsError } from '../errors';
import { unitProblems } from '../../engine/accounts/units';
import { routes } from '../routes';

export const stationsList = handler(routes.stationsList, async ({ query, principal }) => {
  const { skip, limit, ...filter } = query;
  const scope = narrowScope(principal.jurisdiction, filter);
  const stations = scope === 'empty' ? [] : await listStations({ ...(scope ? { scope } : {}), skip, limit });
  return { body: { stations, skip, limit } };
});

export const stationsCreate = handler(routes.stationsCreate, async ({ body, principal, app, audit }) => {
  const station: Station = { ...body, name: body.name.normalize('NFC') };
  if (app.settings.checkUnits) {
    const problems = unitProblems({ province: station.province, district: station.district, commune: station.commune });
    if (problems.length > 0) throw fieldsError('body', problems.map((p) => ({ path: p.field, message: p.reason })));
  }
  if (!mayActAt(routes.stationsCreate, principal.jurisdiction, station)) {
    await audit({ action: 'access.denied', outcome: 'denied', target: station.id, details: { route: 'stationsCreate', reason: 'outside jurisdiction' } });
    throw forbidden('the station is outside your jurisdiction');
  }
  // An existing station outside the caller's jurisdiction cannot be moved into it by an upsert.
  const [existing] = await listStations({ ids: [station.id] });
  if (existing && !mayActAt(routes.stationsCreate, principal.jurisdiction, existing)) {
    await audit({ action: 'access.denied', outcome: 'denied', target: station.id, details: { route: 'stationsCreate', reason: 'outside jurisdiction' } });
    throw forbidden('the station is outside your jurisdiction');
  }
  await upsertStations([station]);
  await audit({ action: 'station.create', outcome: 'ok', target: station.id, details: { updated: existing !== undefined } });
  return { status: 201, body: station };
});

export const stationPassages = handler(routes.stationPassages, async ({ params, query, principal, audit }) => {
  const [station] = await listStations({ ids: [params.id] });
  if (!station) throw notFound(`no station '${params.id}'`);
  if (!mayActAt(routes.stationPassages, principal.jurisdiction, station)) {
    await audit({ action: 'access.denied', outcome: 'denied', target: station.id, details: { route: 'stationPassages', reason: 'outside jurisdiction' } });
    throw forbidden('the station is outside your jurisdiction');
  }
  // The scope goes into the query too: the database itself returns nothing outside it.
  const passages = await passagesAtStation({ stationId: station.id, scope: principal.jurisdiction, from: query.from, to: query.to, skip: query.skip, limit: query.limit });
  const pids = [...new Set(passages.map((p) => p.personId))];
  const people = await maskedIdentities(pids);
  await audit({ action: 'station.passages.read', outcome: 'ok', target: station.id, count: pids.length, details: { passages: passages.length, masked: true } });
  return {
    body: {
      station,
      from: isoUtc(query.from),
      to: isoUtc(query.to),
      passages: passages.map((p) => ({ id: p.id, personId: p.personId, stationId: p.stationId, at: isoUtc(p.at), leftAt: isoUtc(p.leftAt), source: p.source })),
      people,
      skip: query.skip,
      limit: query.limit,
    },
  };
});
