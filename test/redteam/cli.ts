export { cli } from '../helpers/cli.js';
