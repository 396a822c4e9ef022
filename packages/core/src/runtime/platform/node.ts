/** The adapter for Node (selected through the `#platform` import condition). */
export { nodeAdapter as adapter } from '@suitkaise/node';
