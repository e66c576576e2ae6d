import type { Field } from "../../fields";

export const tagsField: Field = { type: "array", required: true, min: 1, max: 20, items: { type: "string", min: 1, max: 50, template: true } };
