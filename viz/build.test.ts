import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VIZ_ROOT, type VizBuild } from './build';
import type * as BuildModule from './build';

/**
 * `truyvet up` builds the view from wherever it is run. esbuild names its inputs relative to a
 * working folder; the licenses of the bundled packages are found from those names, so the build
 * must not depend on the caller's folder. A folder inside the checkout is the telling case: from
 * there the names climb out of the project by fewer levels than it is deep. esbuild takes the
 * working folder once, when it is loaded: the module is loaded afresh inside that folder.
 */
describe('buildViz', () => {
  let out = '';
  const cwd = process.cwd();

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'truyvet-viz-build-'));
  });
  afterAll(() => {
    process.chdir(cwd);
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('builds the same bundle and license notice from another working folder', async () => {
    process.chdir(path.join(VIZ_ROOT, 'static'));
    let built: VizBuild | undefined;
    try {
      let fresh: typeof BuildModule | undefined;
      jest.isolateModules(() => {
        fresh = jest.requireActual<typeof BuildModule>('./build');
      });
      built = await fresh!.buildViz(out);
    } finally {
      process.chdir(cwd);
    }
    if (!built) throw new Error('buildViz returned nothing');
    const names = built.files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['app.js', 'app.js.map', 'index.html', 'THIRD-PARTY-LICENSES.txt']));
    const licenses = fs.readFileSync(path.join(out, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    // d3's parts are ISC and their notice must travel with the bundle.
    expect(licenses).toMatch(/^d3-selection@\d+\.\d+\.\d+ \(ISC\)$/m);
    expect(licenses).toContain('Permission to use, copy, modify, and/or distribute this software');
    expect(fs.statSync(path.join(out, 'app.js')).size).toBeGreaterThan(10_000);
    // The GPL-3.0 district outlines: a separate file fetched at run time, its license beside it,
    // never in the bundle; the unlicensed boundary files of shared/data are not shipped.
    expect(names).toEqual(expect.arrayContaining(['data/hcmc-districts-2021.geojson', 'data/LICENSE-GPL-3.0.txt', 'data/NOTICE.md']));
    expect(names.filter((n) => /provinces|thu-duc|wards/i.test(n))).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'data', 'LICENSE-GPL-3.0.txt'), 'utf8')).toContain('Version 3, 29 June 2007');
    expect(fs.readFileSync(path.join(out, 'app.js'), 'utf8')).not.toContain('hcmc_districts_2021');
  }, 60_000);
});
