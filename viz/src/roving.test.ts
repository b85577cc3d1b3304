import { rovingTarget, tabStop } from './roving';

describe('roving tab stop', () => {
  const ids = ['f0', 'a', 'b', 'c'];

  it('Right and Down go to the next item, Left and Up to the previous one', () => {
    expect(['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp'].map((k) => rovingTarget(ids, 'a', k))).toEqual(['b', 'b', 'f0', 'f0']);
  });

  it('stops at the ends instead of wrapping around', () => {
    expect(rovingTarget(ids, 'c', 'ArrowRight')).toBe('c');
    expect(rovingTarget(ids, 'f0', 'ArrowUp')).toBe('f0');
  });

  it('Home and End jump to the first and last item', () => {
    expect([rovingTarget(ids, 'b', 'Home'), rovingTarget(ids, 'b', 'End')]).toEqual(['f0', 'c']);
  });

  it('from an item no longer listed, any move starts at the first item', () => {
    expect(rovingTarget(ids, 'gone', 'ArrowDown')).toBe('f0');
    expect(rovingTarget(ids, undefined, 'ArrowLeft')).toBe('f0');
    expect(rovingTarget(ids, 'gone', 'End')).toBe('c');
  });

  it('other keys, or no items, move nothing', () => {
    expect(['Enter', ' ', 'Tab', 'Escape', 'a'].map((k) => rovingTarget(ids, 'a', k))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(rovingTarget([], undefined, 'ArrowDown')).toBeUndefined();
  });

  it('the Tab stop is the first preferred item that is listed, else the first item', () => {
    expect(tabStop(ids, 'b', 'c')).toBe('b');
    expect(tabStop(ids, undefined, 'gone', 'c')).toBe('c');
    expect(tabStop(ids, 'gone')).toBe('f0');
    expect(tabStop(ids)).toBe('f0');
    expect(tabStop([], 'a')).toBeUndefined();
  });
});
