import { Alert, Badge, Button, Group, Select, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi, useSignedIn } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { PRIORITY_COLORS } from "./ConversationRow";
import { upsertConversation } from "./message-cache";
import { ResolveModal } from "./ResolveModal";
import { SlaDue } from "./SlaDue";
import { TransferModal } from "./TransferModal";
import { inboxKeys, PRIORITIES, type Conversation } from "./types";

/** Who the conversation is with, where it stands, and what can be done with it. */
export function ConversationHeader({ conversation }: { conversation: Conversation }) {
  const { t } = useI18n();
  const api = useApi();
  const { user } = useSignedIn();
  const queryClient = useQueryClient();
  const [transferOpen, transfer] = useDisclosure();
  const [resolveOpen, resolve] = useDisclosure();
  const id = conversation.id;
  const applied = (updated: Conversation) => {
    upsertConversation(queryClient, updated);
    queryClient.invalidateQueries({ queryKey: inboxKeys.lists }).catch(reportError);
  };
  const action = useMutation({ mutationFn: (run: () => Promise<Conversation>) => run(), onSuccess: applied });
  const resolved = conversation.status === "resolved";
  const mine = conversation.assigned_to?.id === user.id;
  const name = conversation.contact.name ?? conversation.contact.phone_number ?? t("inbox.unknownContact");

  return (
    <Stack gap={6} p="sm" style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Button component={Link} to="/inbox" size="compact-xs" variant="subtle" hiddenFrom="md" aria-label={t("inbox.back")}>
              ←
            </Button>
            <Title order={2} size="h4">
              {name}
            </Title>
            <Badge variant="outline">{t(`inbox.status.${conversation.status}`)}</Badge>
          </Group>
          <Text size="xs" c="dimmed">
            {[conversation.contact.phone_number, conversation.whatsapp_account.name, conversation.queue?.name].filter(Boolean).join(" · ")}
            {" · "}
            {conversation.assigned_to ? t("inbox.assignedTo", { name: conversation.assigned_to.name }) : t("inbox.unassigned")}
          </Text>
          {!resolved && (
            <Group gap={4} mt={4}>
              <SlaDue kind="first" dueAt={conversation.sla_first_response_due_at} met={conversation.sla_first_response_met} />
              <SlaDue kind="resolution" dueAt={conversation.sla_resolution_due_at} met={conversation.sla_resolution_met} />
            </Group>
          )}
        </div>
        <Select
          size="xs"
          w={120}
          aria-label={t("inbox.filter.priority")}
          data={PRIORITIES.map((priority) => ({ value: priority, label: t(`inbox.priority.${priority}`) }))}
          value={conversation.priority}
          allowDeselect={false}
          styles={{ input: { color: `var(--mantine-color-${PRIORITY_COLORS[conversation.priority]}-filled)` } }}
          onChange={(value) => {
            if (value && value !== conversation.priority) action.mutate(() => api.put("/api/conversations/{id}", { path: { id }, body: { priority: value } }));
          }}
        />
      </Group>
      <Group gap="xs">
        {!resolved && !mine && (
          <Button
            size="xs"
            loading={action.isPending}
            onClick={() => action.mutate(() => api.post("/api/conversations/{id}/assign", { path: { id }, body: { user_id: user.id } }))}
          >
            {t("inbox.action.assignMe")}
          </Button>
        )}
        {!resolved && (
          <Button size="xs" variant="default" onClick={transfer.open}>
            {t("inbox.action.transfer")}
          </Button>
        )}
        {!resolved && (
          <Button size="xs" variant="light" color="green" onClick={resolve.open}>
            {t("inbox.action.resolve")}
          </Button>
        )}
        {resolved && (
          <Button
            size="xs"
            variant="light"
            loading={action.isPending}
            onClick={() => action.mutate(() => api.post("/api/conversations/{id}/reopen", { path: { id } }))}
          >
            {t("inbox.action.reopen")}
          </Button>
        )}
      </Group>
      {action.isError && (
        <Alert color="red" py={4} withCloseButton onClose={() => action.reset()} closeButtonLabel={t("inbox.close")}>
          {problemText(action.error, t).text}
        </Alert>
      )}
      <TransferModal conversation={conversation} opened={transferOpen} onClose={transfer.close} onDone={applied} />
      <ResolveModal conversationId={id} opened={resolveOpen} onClose={resolve.close} onDone={applied} />
    </Stack>
  );
}
