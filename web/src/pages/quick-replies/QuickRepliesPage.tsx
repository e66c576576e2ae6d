// /quick-replies: the canned answers agents insert in the inbox. Everyone reads
// those they may use; admins and supervisors write those they may change.
import { Button, Center, Code, Group, Loader, Modal, NativeSelect, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../auth/context";
import { useMe } from "../../auth/me";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ListPager } from "../../components/ListPager";
import { LoadProblem } from "../../components/LoadProblem";
import { useDialog } from "../../hooks/useDialog";
import { useI18n } from "../../i18n";
import { QuickReplyForm } from "./QuickReplyForm";
import { QUICK_REPLIES_PER_PAGE, QUICK_REPLIES_QUERY, useQueues, useQuickReplies, useReplyPermission, type QuickReply } from "./quick-replies";

type Dialog = { reply?: QuickReply };

export function QuickRepliesPage() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { role } = useMe();
  const mayEdit = useReplyPermission();
  const canCreate = role === "admin" || role === "supervisor";
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [queueId, setQueueId] = useState("");
  const [debounced] = useDebouncedValue(search, 300);
  const replies = useQuickReplies(page, debounced, queueId);
  const queues = useQueues();
  const dialog = useDialog<Dialog>();
  const close = dialog.close;
  const queueName = (id: string | null) =>
    id ? (queues.data?.items.find((queue) => queue.id === id)?.name ?? t("quickReplies.unknownQueue")) : t("quickReplies.global");

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("nav.quickReplies")}</Title>
        {canCreate && <Button onClick={() => dialog.open({})}>{t("quickReplies.new")}</Button>}
      </Group>
      <Text c="gray.7">{t(canCreate ? "quickReplies.intro" : "quickReplies.introAgent")}</Text>

      <Group align="flex-end">
        <TextInput
          label={t("quickReplies.search")}
          placeholder="/sal"
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            setPage(1);
          }}
        />
        <NativeSelect
          label={t("quickReplies.queue")}
          value={queueId}
          onChange={(event) => {
            setQueueId(event.currentTarget.value);
            setPage(1);
          }}
          data={[{ value: "", label: t("quickReplies.anyQueue") }, ...(queues.data?.items ?? []).map((queue) => ({ value: queue.id, label: queue.name }))]}
        />
      </Group>

      {replies.isPending && (
        <Center p="xl">
          <Loader aria-label={t("app.loading")} />
        </Center>
      )}
      {replies.isError && <LoadProblem error={replies.error} onRetry={replies.refetch} />}
      {replies.data && replies.data.items.length === 0 && <Text>{t("quickReplies.empty")}</Text>}
      {replies.data && replies.data.items.length > 0 && (
        <>
          <Table.ScrollContainer minWidth={640}>
            <Table striped aria-label={t("nav.quickReplies")}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("quickReplies.shortcut")}</Table.Th>
                  <Table.Th>{t("quickReplies.content")}</Table.Th>
                  <Table.Th>{t("quickReplies.queue")}</Table.Th>
                  {canCreate && <Table.Th>{t("quickReplies.actions")}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {replies.data.items.map((reply) => (
                  <Table.Tr key={reply.id}>
                    <Table.Td>
                      <Code>{reply.shortcut}</Code>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: "pre-wrap" }}>{reply.content}</Table.Td>
                    <Table.Td>{queueName(reply.queue_id)}</Table.Td>
                    {canCreate && (
                      <Table.Td>
                        {mayEdit(reply.queue_id) && (
                          <Group gap="xs" wrap="nowrap">
                            <Button
                              size="xs"
                              variant="light"
                              onClick={() => dialog.open({ reply })}
                              aria-label={t("quickReplies.editNamed", { shortcut: reply.shortcut })}
                            >
                              {t("quickReplies.edit")}
                            </Button>
                            <ConfirmButton
                              label={t("quickReplies.delete")}
                              aria-label={t("quickReplies.deleteNamed", { shortcut: reply.shortcut })}
                              title={t("quickReplies.deleteNamed", { shortcut: reply.shortcut })}
                              message={t("quickReplies.deleteConfirm", { shortcut: reply.shortcut })}
                              confirmLabel={t("quickReplies.delete")}
                              onConfirm={async () => {
                                await api.delete("/api/quick-replies/{id}", { path: { id: reply.id } });
                                await queryClient.invalidateQueries({ queryKey: QUICK_REPLIES_QUERY });
                              }}
                            />
                          </Group>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <ListPager page={page} limit={QUICK_REPLIES_PER_PAGE} total={replies.data.total} shown={replies.data.items.length} onChange={setPage} />
        </>
      )}

      <Modal
        opened={dialog.opened}
        onClose={close}
        title={t(dialog.content?.reply ? "quickReplies.editNamed" : "quickReplies.new", { shortcut: dialog.content?.reply?.shortcut ?? "" })}
        centered
        closeButtonProps={{ "aria-label": t("shared.close") }}
      >
        {dialog.content && <QuickReplyForm key={dialog.content.reply?.id ?? "new"} reply={dialog.content.reply} onDone={close} />}
      </Modal>
    </Stack>
  );
}
