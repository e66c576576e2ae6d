import { Alert, Button, Group, Modal, SegmentedControl, Select, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { useIsManager, useQueues, useTeam } from "./data";
import type { Conversation } from "./types";

/** Moves the conversation to another queue (unassigned, waiting there) or, for supervisors and admins, to a team member. */
export function TransferModal({
  conversation,
  opened,
  onClose,
  onDone,
}: {
  conversation: Conversation;
  opened: boolean;
  onClose: () => void;
  onDone: (c: Conversation) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const manager = useIsManager();
  const queues = useQueues();
  const team = useTeam();
  const [target, setTarget] = useState<"queue" | "agent">("queue");
  const [choice, setChoice] = useState<string | null>(null);
  const id = conversation.id;
  const move = useMutation({
    mutationFn: (to: string) =>
      target === "queue"
        ? api.post("/api/conversations/{id}/transfer", { path: { id }, body: { queue_id: to } })
        : api.post("/api/conversations/{id}/assign", { path: { id }, body: { user_id: to } }),
    onSuccess: (updated) => {
      onDone(updated);
      setChoice(null);
      onClose();
    },
  });
  const options =
    target === "queue"
      ? (queues.data?.items ?? []).filter((queue) => queue.id !== conversation.queue?.id).map((queue) => ({ value: queue.id, label: queue.name }))
      : (team.data ?? [])
          .filter((member) => member.id !== conversation.assigned_to?.id)
          .map((member) => ({ value: member.id, label: `${member.name} (${t(`status.${member.status}`)})` }));

  return (
    <Modal opened={opened} onClose={onClose} title={t("inbox.transfer.title")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (choice) move.mutate(choice);
        }}
      >
        <Stack gap="sm">
          {manager ? (
            <SegmentedControl
              value={target}
              onChange={(value) => {
                setTarget(value);
                setChoice(null);
              }}
              data={[
                { value: "queue", label: t("inbox.transfer.toQueue") },
                { value: "agent", label: t("inbox.transfer.toAgent") },
              ]}
            />
          ) : (
            <Text size="xs" c="dimmed">
              {t("inbox.transfer.agentsHint")}
            </Text>
          )}
          <Select
            label={target === "queue" ? t("inbox.transfer.queue") : t("inbox.transfer.agent")}
            data={options}
            value={choice}
            onChange={setChoice}
            searchable
            nothingFoundMessage={t("inbox.transfer.none")}
            required
          />
          {move.isError && <Alert color="red">{problemText(move.error, t).text}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("inbox.cancel")}
            </Button>
            <Button type="submit" disabled={!choice} loading={move.isPending}>
              {t("inbox.transfer.confirm")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
