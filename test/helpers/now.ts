/**
 * The instant a test that starts the app (or loads the demo) pins its clock at. Never the real
 * clock: what a test expects must not depend on the day or hour it runs. `.ci/run` runs the
 * date-sensitive tests again at the instants of DESIGN §9 (test/at-instants.sh) through TEST_NOW.
 */
export const TEST_NOW_ISO = process.env.TEST_NOW ?? '2026-11-25T15:00:00Z';
export const TEST_NOW = new Date(TEST_NOW_ISO);
