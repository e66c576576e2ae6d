// The odoo_* nodes call the Odoo service through the flow's effects; any
// failure (Odoo not configured, unreachable, refusing) leaves by `error` with
// the reason in vars.<save_to>_error.
import type { NodeContext, NodeResult } from "../../node-type";

export const saveTo = { save_to: { type: "string", required: true, pattern: /^[A-Za-z_]\w{0,63}$/ } } as const;

export async function callOdoo(
  ctx: NodeContext,
  saveToVar: string,
  action: string,
  params: Record<string, unknown>,
  decide: (result: unknown) => { value: unknown; handle: string },
): Promise<NodeResult> {
  try {
    const { value, handle } = decide(await ctx.effects.odoo(action, params));
    ctx.vars[saveToVar] = value;
    return { handle };
  } catch (err) {
    ctx.vars[`${saveToVar}_error`] = err instanceof Error ? err.message : String(err);
    return { handle: "error" };
  }
}
