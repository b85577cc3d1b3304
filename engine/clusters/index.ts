export * from './clusters';
export { planClusters } from './plan';
