// A form's problems after a refused request: the engine's message goes on the
// input its `field` names when the form has that input, else above the buttons.
import { useCallback, useState } from "react";
import { useI18n } from "../i18n";
import { problemText } from "../pages/problem";

export type FieldProblems<F extends string> = Partial<Record<F | "form", string>>;

export function useFieldProblems<F extends string>(fields: readonly F[]) {
  const { t } = useI18n();
  const [problems, setProblems] = useState<FieldProblems<F>>({});
  const fail = useCallback(
    (err: unknown) => {
      const { field, text } = problemText(err, t);
      const named = fields.find((name) => name === field);
      setProblems(named ? ({ [named]: text } as FieldProblems<F>) : ({ form: text } as FieldProblems<F>));
    },
    [fields, t],
  );
  const clear = useCallback(() => setProblems({}), []);
  return { problems, setProblems, fail, clear };
}
