import type { ClusterMembership } from '../db/clusters';
import { planClusters } from './plan';

const ids = () => {
  let n = 0;
  return () => `cl-new${++n}`;
};
const m = (caseId: string, clusterId: string, createdAt: number): ClusterMembership => ({ caseId, clusterId, createdAt });

describe('planClusters', () => {
  it('when no case of a group is in a cluster, makes a new cluster of the group', () => {
    expect(planClusters([['a', 'b'], ['c', 'd']], [], ids())).toEqual({
      creates: [
        { id: 'cl-new1', cases: ['a', 'b'] },
        { id: 'cl-new2', cases: ['c', 'd'] },
      ],
      merges: [],
      attaches: [],
      touched: ['cl-new1', 'cl-new2'],
    });
  });

  it("when a group meets one cluster, its new cases join it and the cluster's id stays", () => {
    expect(planClusters([['a', 'b', 'c']], [m('a', 'cl-x', 1)], ids())).toEqual({ creates: [], merges: [], attaches: [{ id: 'cl-x', cases: ['b', 'c'] }], touched: ['cl-x'] });
  });

  it('when a group meets two clusters, the older one absorbs the other, whatever the order met', () => {
    const plan = planClusters([['n', 'b', 'a']], [m('b', 'cl-young', 20), m('a', 'cl-old', 10)], ids());
    expect(plan).toEqual({ creates: [], merges: [{ into: 'cl-old', from: 'cl-young' }], attaches: [{ id: 'cl-old', cases: ['n'] }], touched: ['cl-old'] });
  });

  it('when two clusters are as old, the smaller id survives', () => {
    expect(planClusters([['a', 'b']], [m('a', 'cl-b', 5), m('b', 'cl-a', 5)], ids()).merges).toEqual([{ into: 'cl-a', from: 'cl-b' }]);
  });

  it('a later group meeting a cluster absorbed by an earlier group goes to the survivor, and merges chain in order', () => {
    const memberships = [m('a', 'cl-2', 2), m('b', 'cl-3', 3), m('c', 'cl-3', 3), m('d', 'cl-1', 1)];
    // Group 1 merges cl-3 into cl-2 and brings x; group 2 meets cl-3 (now cl-2) and cl-1: cl-2 goes into cl-1, with y.
    const plan = planClusters([['a', 'b', 'x'], ['c', 'd', 'y']], memberships, ids());
    expect(plan.merges).toEqual([
      { into: 'cl-2', from: 'cl-3' },
      { into: 'cl-1', from: 'cl-2' },
    ]);
    expect(plan.attaches).toEqual([{ id: 'cl-1', cases: ['x', 'y'] }]);
    expect(plan.touched).toEqual(['cl-1']);
    expect(plan.creates).toEqual([]);
  });

  it('a group wholly inside one cluster changes nothing', () => {
    expect(planClusters([['a', 'b']], [m('a', 'cl-x', 1), m('b', 'cl-x', 1)], ids())).toEqual({ creates: [], merges: [], attaches: [], touched: [] });
  });
});
