import { Text, Tooltip } from "@mantine/core";
import { useI18n } from "../../i18n";
import type { Message } from "./types";

const MARKS = {
  pending: { mark: "🕓", color: "dimmed" },
  sent: { mark: "✓", color: "dimmed" },
  delivered: { mark: "✓✓", color: "dimmed" },
  read: { mark: "✓✓", color: "blue" },
  failed: { mark: "✕", color: "red" },
} as const;

/** An outbound message's delivery ticks (kept current by `message_status`). */
export function Receipt({ message }: { message: Message }) {
  const { t } = useI18n();
  if (message.status === "received") return null;
  const { mark, color } = MARKS[message.status];
  const label = t(`inbox.receipt.${message.status}`);
  return (
    <Tooltip label={message.failure_reason ? `${label}: ${message.failure_reason}` : label}>
      <Text span size="xs" c={color} fw={700} aria-label={label} data-testid="receipt" data-status={message.status}>
        {mark}
      </Text>
    </Tooltip>
  );
}
