/**
 * Mantine draws an input's description in its "dimmed" grey, under WCAG AA
 * contrast on white; gray.7 passes. For `styles` of inputs with a description.
 */
export const READABLE_DESCRIPTION = { description: { color: "var(--mantine-color-gray-7)" } } as const;
