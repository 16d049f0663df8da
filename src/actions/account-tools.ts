import { tool, type FunctionTool, type RunContext } from '@openai/agents-core';
import { ACTION_DESCRIPTIONS, ACTION_NAMES, ACTION_PARAMETERS, type ActionName } from './account-actions.js';
import type { AccountActionsService, ActionRunContext } from './account-actions.service.js';

/**
 * The enabled account actions as SDK function tools with `needsApproval`: when the model calls
 * one that needs a person, the run stops with an interruption and its state is stored with the
 * ticket until someone decides.
 */
export function accountTools(actions: AccountActionsService): FunctionTool<ActionRunContext, any, string>[] {
  return ACTION_NAMES.filter((name) => actions.limits.enabled.has(name)).map((name: ActionName) =>
    tool({
      name,
      description: ACTION_DESCRIPTIONS[name],
      parameters: ACTION_PARAMETERS[name],
      needsApproval: (context, input) => actions.needsApproval(name, input as Record<string, unknown>, context as RunContext<ActionRunContext>),
      execute: async (input, context, details) =>
        JSON.stringify(await actions.run(name, input as Record<string, unknown>, context as RunContext<ActionRunContext>, details?.toolCall?.callId)),
    }) as unknown as FunctionTool<ActionRunContext, any, string>,
  );
}
