export { walkDirectory } from '../../shared/walk-directory.js';
