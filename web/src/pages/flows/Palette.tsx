// The node types by category: click (or Enter) adds one to the middle of the
// canvas; dragging one onto the canvas drops it where it is let go.
import { Button, Stack, Text, Title } from "@mantine/core";
import { useI18n, type MessageKey } from "../../i18n";
import type { NodeType } from "./model";

/** The data type of a palette drag, so the canvas ignores other things dropped on it. */
export const PALETTE_DRAG = "application/x-charla-node-type";

const CATEGORY_LABELS: Record<string, MessageKey> = {
  messages: "flows.category.messages",
  questions: "flows.category.questions",
  logic: "flows.category.logic",
  people: "flows.category.people",
  odoo: "flows.category.odoo",
};

export function Palette({ types, onAdd }: { types: readonly NodeType[]; onAdd: (type: NodeType) => void }) {
  const { t } = useI18n();
  const categories = [...new Set(types.map((type) => type.category))];
  return (
    <Stack gap="xs" component="nav" aria-label={t("flows.palette")}>
      <Title order={3} size="h5">
        {t("flows.palette")}
      </Title>
      <Text size="xs" c="gray.7">
        {t("flows.paletteHint")}
      </Text>
      {categories.map((category) => {
        const label = CATEGORY_LABELS[category];
        return (
          <Stack key={category} gap={2}>
            <Text size="xs" fw={700} tt="uppercase" c="gray.7">
              {label ? t(label) : category}
            </Text>
            {types
              .filter((type) => type.category === category && type.type !== "start")
              .map((type) => (
                <Button
                  key={type.type}
                  size="compact-sm"
                  variant="default"
                  justify="flex-start"
                  title={type.description}
                  aria-label={t("flows.addNode", { type: type.type })}
                  data-node-type={type.type}
                  draggable
                  onDragStart={(event) => {
                    event.dataTransfer.setData(PALETTE_DRAG, type.type);
                    event.dataTransfer.effectAllowed = "move";
                  }}
                  onClick={() => onAdd(type)}
                >
                  {type.type}
                </Button>
              ))}
          </Stack>
        );
      })}
    </Stack>
  );
}
