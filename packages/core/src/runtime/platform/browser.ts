/** The adapter for browsers (selected through the `#platform` import condition). */
export { browserAdapter as adapter } from '@suitkaise/browser';
