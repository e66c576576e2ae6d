import { Alert, Button, Group, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import type { Conversation } from "./types";

/** Resolving closes the conversation for the customer: asked for once more, with an optional note for the record. */
export function ResolveModal({
  conversationId,
  opened,
  onClose,
  onDone,
}: {
  conversationId: string;
  opened: boolean;
  onClose: () => void;
  onDone: (c: Conversation) => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const [note, setNote] = useState("");
  const resolve = useMutation({
    mutationFn: () => api.post("/api/conversations/{id}/resolve", { path: { id: conversationId }, body: note.trim() ? { resolution_note: note.trim() } : {} }),
    onSuccess: (updated) => {
      onDone(updated);
      setNote("");
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t("inbox.resolve.title")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          resolve.mutate();
        }}
      >
        <Stack gap="sm">
          <Text size="sm">{t("inbox.resolve.text")}</Text>
          <Textarea
            label={t("inbox.resolve.note")}
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            autosize
            minRows={3}
            data-autofocus
          />
          {resolve.isError && <Alert color="red">{problemText(resolve.error, t).text}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("inbox.cancel")}
            </Button>
            <Button type="submit" color="green" loading={resolve.isPending}>
              {t("inbox.resolve.confirm")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
