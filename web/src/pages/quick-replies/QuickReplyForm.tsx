// Creates or edits a quick reply: its shortcut (`/saludo`), its text (a
// template: `{{contact.name}}`, `{{agent.name}}`, …) and whether it is global
// or one queue's. A taken shortcut is refused on `shortcut` and shown there.
import { Alert, Button, Group, NativeSelect, Stack, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useFieldProblems } from "../../hooks/useFieldProblems";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { QUICK_REPLIES_QUERY, useQueues, useReplyPermission, type QuickReply } from "./quick-replies";

const FIELDS = ["shortcut", "content", "queue_id"] as const;
/** The engine's rule for shortcuts (docs/api.md, Quick replies), checked here first to say it in the form. */
const SHORTCUT = /^\/[\p{L}\p{N}_-]{1,40}$/u;

export function QuickReplyForm({ reply, onDone }: { reply?: QuickReply; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const queues = useQueues();
  const mayEdit = useReplyPermission();
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? "/");
  const [content, setContent] = useState(reply?.content ?? "");
  const [queueId, setQueueId] = useState(reply?.queue_id ?? "");
  const { problems, setProblems, fail, clear } = useFieldProblems(FIELDS);

  const save = useMutation({
    mutationFn: () => {
      const body = { shortcut: shortcut.trim(), content, queue_id: queueId || null };
      return reply ? api.put("/api/quick-replies/{id}", { path: { id: reply.id }, body }) : api.post("/api/quick-replies", { body });
    },
    onMutate: clear,
    onError: fail,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: QUICK_REPLIES_QUERY });
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const missing: typeof problems = {};
    if (!SHORTCUT.test(shortcut.trim())) missing.shortcut = t("quickReplies.shortcutRule");
    if (!content.trim()) missing.content = t("quickReplies.contentRequired");
    setProblems(missing);
    if (Object.keys(missing).length === 0) save.mutate();
  };

  const queueOptions = (queues.data?.items ?? []).filter((queue) => mayEdit(queue.id)).map((queue) => ({ value: queue.id, label: queue.name }));
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label={t("quickReplies.shortcut")}
          description={t("quickReplies.shortcutRule")}
          styles={READABLE_DESCRIPTION}
          value={shortcut}
          onChange={(event) => setShortcut(event.currentTarget.value)}
          error={problems.shortcut}
          required
          data-autofocus
        />
        <Textarea
          label={t("quickReplies.content")}
          description={t("quickReplies.contentHelp")}
          styles={READABLE_DESCRIPTION}
          value={content}
          onChange={(event) => setContent(event.currentTarget.value)}
          error={problems.content}
          autosize
          minRows={3}
          required
        />
        <NativeSelect
          label={t("quickReplies.queue")}
          value={queueId}
          onChange={(event) => setQueueId(event.currentTarget.value)}
          data={[...(mayEdit(null) ? [{ value: "", label: t("quickReplies.global") }] : []), ...queueOptions]}
          error={problems.queue_id}
        />
        {problems.form && (
          <Alert color="red" variant="light" role="alert">
            {problems.form}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t("shared.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t(reply ? "shared.save" : "quickReplies.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
