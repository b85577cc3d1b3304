import type { Handler } from '../context';
import type { RouteId, Routes } from '../routes';
import { accountsCreate, accountsList, accountsUpdate } from './accounts';
import { approvalsDecide, approvalsList } from './approvals';
import { auditList, auditVerify } from './audit';
import { casesCreate, casesList, casesUpdate } from './cases';
import { clustersGet, clustersList } from './clusters';
import { declarationsList, declarationsSubmit } from './declarations';
import { exposureApprovalsDecide, exposureApprovalsList, exposuresCreate, exposuresGet, exposuresList } from './exposures';
import { followupsExport, followupsList, followupsPromote, followupsUpdate, statsDaily } from './followups';
import { isolationGet, isolationSet } from './isolation';
import { jwks, qrPng, qrRevocations, qrRevoke, qrSvg } from './qr';
import { scansCreate, scansFlagged } from './scans';
import { logout, me, refresh, token } from './auth';
import { health } from './health';
import { status } from './status';
import { hotspots } from './hotspots';
import { importsCreate, importsGet } from './imports';
import { openapi } from './openapi';
import { outbreaksCancel, outbreaksCreate, outbreaksGet, outbreaksList } from './outbreaks';
import { timeline } from './people';
import { stationPassages, stationsCreate, stationsList } from './stations';
import { traceCancel, traceProgress, tracesCreate, tracesGet, tracesList } from './traces';

/** Every route's handler, by route id: the compiler checks none is missing and each fits its route. */
const byId = {
  health,
  status,
  openapi,
  token,
  refresh,
  logout,
  me,
  accountsList,
  accountsCreate,
  accountsUpdate,
  stationsList,
  stationsCreate,
  stationPassages,
  importsCreate,
  importsGet,
  tracesCreate,
  tracesList,
  tracesGet,
  exposuresCreate,
  exposuresGet,
  exposuresList,
  exposureApprovalsList,
  exposureApprovalsDecide,
  traceProgress,
  traceCancel,
  approvalsList,
  approvalsDecide,
  timeline,
  hotspots,
  jwks,
  declarationsSubmit,
  declarationsList,
  qrSvg,
  qrPng,
  qrRevoke,
  qrRevocations,
  scansCreate,
  scansFlagged,
  isolationSet,
  isolationGet,
  casesCreate,
  casesList,
  casesUpdate,
  outbreaksCreate,
  outbreaksList,
  outbreaksGet,
  outbreaksCancel,
  clustersList,
  clustersGet,
  followupsList,
  followupsExport,
  followupsUpdate,
  followupsPromote,
  statsDaily,
  auditList,
  auditVerify,
} satisfies { [K in RouteId]: Handler<Routes[K]> };

// Each handler's context type depends on its own route; the app calls them all the same way.
export const HANDLERS = byId as unknown as Readonly<Record<RouteId, Handler>>;
