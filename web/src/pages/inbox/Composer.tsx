import { ActionIcon, Alert, Button, Group, Paper, Switch, Textarea, Tooltip } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type KeyboardEvent } from "react";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { upsertMessage } from "./message-cache";
import { QuickReplyMenu, useQuickReplies } from "./QuickReplyMenu";
import { RichMessageModal } from "./RichMessageModal";
import type { Conversation } from "./types";

/** Writes to the customer, or an internal note for the team; `/` opens the quick replies. */
export function Composer({ conversation, onTyping }: { conversation: Conversation; onTyping: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState("");
  const [note, setNote] = useState(false);
  const [richOpen, rich] = useDisclosure();
  const id = conversation.id;
  const quick = useQuickReplies(id, note ? "" : draft, (text) => setDraft(text));

  const send = useMutation({
    mutationFn: (content: string) =>
      note
        ? api.post("/api/conversations/{id}/notes", { path: { id }, body: { content } })
        : api.post("/api/conversations/{id}/messages", { path: { id }, body: { type: "text", content } }),
    onSuccess: (message) => {
      upsertMessage(queryClient, message);
      setDraft("");
    },
  });
  const resolved = conversation.status === "resolved";
  const submit = () => {
    const content = draft.trim();
    if (content && !send.isPending) send.mutate(content);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (quick.onKeyDown(event)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <Paper p="xs" radius={0} style={{ borderTop: "1px solid var(--mantine-color-gray-3)", position: "relative" }}>
      {resolved && (
        <Alert color="gray" py={4} mb={6}>
          {t("inbox.composer.resolved")}
        </Alert>
      )}
      {send.isError && (
        <Alert color="red" py={4} mb={6} withCloseButton onClose={() => send.reset()} closeButtonLabel={t("inbox.close")}>
          {problemText(send.error, t).text}
        </Alert>
      )}
      <QuickReplyMenu state={quick} />
      <Textarea
        aria-label={note ? t("inbox.composer.noteLabel") : t("inbox.composer.label")}
        placeholder={note ? t("inbox.composer.notePlaceholder") : t("inbox.composer.placeholder")}
        autosize
        minRows={2}
        maxRows={8}
        value={draft}
        disabled={resolved && !note}
        styles={note ? { input: { background: "var(--mantine-color-yellow-0)" } } : undefined}
        onChange={(event) => {
          setDraft(event.currentTarget.value);
          if (!note) onTyping();
        }}
        onKeyDown={onKeyDown}
        {...quick.inputProps}
      />
      <Group justify="space-between" mt={6}>
        <Group gap="xs">
          <Switch size="xs" label={t("inbox.composer.note")} checked={note} onChange={(event) => setNote(event.currentTarget.checked)} />
          <Tooltip label={t("inbox.composer.rich")}>
            <ActionIcon variant="default" aria-label={t("inbox.composer.rich")} onClick={rich.open} disabled={note || resolved}>
              +
            </ActionIcon>
          </Tooltip>
        </Group>
        <Button size="xs" onClick={submit} loading={send.isPending} disabled={!draft.trim() || (resolved && !note)} color={note ? "yellow" : undefined}>
          {note ? t("inbox.composer.addNote") : t("inbox.composer.send")}
        </Button>
      </Group>
      <RichMessageModal conversationId={id} opened={richOpen} onClose={rich.close} />
    </Paper>
  );
}
