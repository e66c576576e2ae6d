import type { Translate } from "../../i18n";
import { problemText } from "../problem";

/** A refused save: the engine's message and the field it names (null: about the whole form). */
export interface FieldProblem {
  field: string | null;
  text: string;
}

/** The problem of a failed request, to show on the field the engine names when the form has it, else above the form's buttons. */
export function fieldProblem(err: unknown, t: Translate, known: (field: string) => boolean): FieldProblem {
  const { field, text } = problemText(err, t);
  return { field: field && known(field) ? field : null, text };
}
