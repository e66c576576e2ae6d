import { Badge, Group, Indicator, Stack, Text, UnstyledButton } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { MessagePreview } from "./MessagePreview";
import { SlaDue } from "./SlaDue";
import { inboxKeys, type Conversation } from "./types";

export const PRIORITY_COLORS = { low: "gray", normal: "blue", high: "orange", urgent: "red" } as const;

/** One conversation of the list: who, where it stands, its last message and its deadlines. */
export function ConversationRow({ conversation, selected, unread }: { conversation: Conversation; selected: boolean; unread: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  // The list has no last message: the newest one is read once per row, then kept current by live events.
  const preview = useQuery({
    queryKey: inboxKeys.preview(conversation.id),
    queryFn: async ({ signal }) =>
      (await api.get("/api/conversations/{id}/messages", { path: { id: conversation.id }, query: { limit: 1 }, signal })).items[0] ?? null,
    staleTime: Infinity,
  });
  const name = conversation.contact.name ?? conversation.contact.phone_number ?? t("inbox.unknownContact");

  return (
    <UnstyledButton
      component={Link}
      to={`/inbox/${conversation.id}`}
      aria-current={selected ? "page" : undefined}
      aria-label={unread ? t("inbox.list.unreadLabel", { name }) : name}
      data-testid="conversation-row"
      p="xs"
      style={{
        display: "block",
        borderRadius: 6,
        background: selected ? "var(--mantine-color-blue-light)" : undefined,
        borderLeft: `3px solid ${unread ? "var(--mantine-color-blue-filled)" : "transparent"}`,
      }}
    >
      <Stack gap={2}>
        <Group justify="space-between" wrap="nowrap" gap={4}>
          <Indicator disabled={!unread} size={8} position="middle-end" offset={-10}>
            <Text fw={unread ? 700 : 500} size="sm" truncate>
              {name}
            </Text>
          </Indicator>
          <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
            {new Date(conversation.last_message_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
          </Text>
        </Group>
        <Text size="xs" c={unread ? undefined : "dimmed"} fw={unread ? 600 : undefined} truncate>
          {preview.data ? <MessagePreview message={preview.data} /> : "\u00a0"}
        </Text>
        <Group gap={4}>
          <Badge size="xs" variant="outline">
            {t(`inbox.status.${conversation.status}`)}
          </Badge>
          {conversation.priority !== "normal" && (
            <Badge size="xs" color={PRIORITY_COLORS[conversation.priority]}>
              {t(`inbox.priority.${conversation.priority}`)}
            </Badge>
          )}
          {conversation.queue && (
            <Badge size="xs" variant="light" color="gray">
              {conversation.queue.name}
            </Badge>
          )}
          {conversation.status !== "resolved" && (
            <>
              <SlaDue kind="first" dueAt={conversation.sla_first_response_due_at} met={conversation.sla_first_response_met} />
              <SlaDue kind="resolution" dueAt={conversation.sla_resolution_due_at} met={conversation.sla_resolution_met} />
            </>
          )}
        </Group>
        {conversation.assigned_to && (
          <Text size="xs" c="dimmed" truncate>
            {t("inbox.assignedTo", { name: conversation.assigned_to.name })}
          </Text>
        )}
      </Stack>
    </UnstyledButton>
  );
}
