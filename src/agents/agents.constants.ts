/** Injection token of the agent registry (a typed symbol, not a magic string). */
export const AGENT_REGISTRY = Symbol('AGENT_REGISTRY');
