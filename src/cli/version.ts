/** berth's CLI version string (`berth --version`). */
export const BERTH_VERSION = '0.1.0';
export const BERTH_BUILD = 'berth';
