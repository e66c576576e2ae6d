// One queue: its live figures, its members and its settings, as tabs; and, for
// admins, deleting it.
import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Tabs, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { useApi } from "../../auth/context";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { MembersPanel } from "./MembersPanel";
import { queueKeys, useQueue, useQueueRights, type Queue, type QueuePage } from "./queries";
import { QueueForm } from "./QueueForm";
import { QueueStatsPanel } from "./QueueStatsPanel";

export function QueueDetail() {
  const { t } = useI18n();
  const { id = "" } = useParams();
  const queue = useQueue(id);

  return (
    <Stack>
      <Anchor component={Link} to=".." relative="path" size="sm">
        ← {t("queues.back")}
      </Anchor>
      {queue.isPending ? (
        <Loader aria-label={t("app.loading")} />
      ) : queue.isError ? (
        <Alert color="red" variant="light" role="alert">
          {problemText(queue.error, t).text}
        </Alert>
      ) : (
        <QueueView queue={queue.data} />
      )}
    </Stack>
  );
}

function QueueView({ queue }: { queue: Queue }) {
  const { t, language } = useI18n();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const rights = useQueueRights(queue);
  const [deleting, setDeleting] = useState(false);
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const openTab = tabAskedBy(useLocation().state);

  return (
    <>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{queue.name}</Title>
          <Badge color={queue.is_open ? "teal" : "gray"} variant="light">
            {queue.is_open ? t("queues.open") : t("queues.closed")}
          </Badge>
        </Group>
        {rights.configure && (
          <Button color="red" variant="light" onClick={() => setDeleting(true)}>
            {t("queues.delete")}
          </Button>
        )}
      </Group>
      {queue.description && <Text c="gray.7">{queue.description}</Text>}
      <Tabs defaultValue={openTab ?? (rights.manage ? "stats" : "settings")} keepMounted={false}>
        <Tabs.List mb="md">
          {rights.manage && <Tabs.Tab value="stats">{t("queues.tab.stats")}</Tabs.Tab>}
          <Tabs.Tab value="members">{t("queues.tab.members", { count: queue.agents.length })}</Tabs.Tab>
          <Tabs.Tab value="settings">{t("queues.tab.settings")}</Tabs.Tab>
        </Tabs.List>
        {rights.manage && (
          <Tabs.Panel value="stats">
            <QueueStatsPanel queue={queue} />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="members">
          <MembersPanel queue={queue} />
        </Tabs.Panel>
        <Tabs.Panel value="settings">
          {!rights.configure && (
            <Text c="gray.7" mb="md">
              {t("queues.readOnly")}
            </Text>
          )}
          {savedAt && (
            <Alert color="teal" variant="light" role="status" mb="md">
              {t("queues.saved", { time: savedAt.toLocaleTimeString(language) })}
            </Alert>
          )}
          {/* Someone else's save (a newer updated_at) starts the form again from what is stored. */}
          <QueueForm
            key={queue.updated_at}
            queue={queue}
            editable={rights.configure}
            onSaved={(saved) => {
              queryClient.setQueryData(queueKeys.one(saved.id), saved);
              queryClient.invalidateQueries({ queryKey: queueKeys.all }).catch(reportError);
              setSavedAt(new Date());
            }}
          />
        </Tabs.Panel>
      </Tabs>
      <ConfirmDialog
        opened={deleting}
        title={t("queues.deleteTitle")}
        confirmLabel={t("queues.delete")}
        cancelLabel={t("queues.cancel")}
        messages={{ QUEUE_NOT_EMPTY: "queues.deleteNotEmpty" }}
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          await api.delete("/api/queues/{id}", { path: { id: queue.id } });
          // Out of the cached lists at once, or the list would ask the figures of a queue that is gone.
          queryClient.setQueriesData<QueuePage>(
            { queryKey: queueKeys.lists },
            (page) => page && { ...page, items: page.items.filter((other) => other.id !== queue.id), total: page.total - 1 },
          );
          await navigate("..", { relative: "path" });
          await queryClient.invalidateQueries({ queryKey: queueKeys.lists });
        }}
      >
        {t("queues.deleteText", { name: queue.name })}
      </ConfirmDialog>
    </>
  );
}

/** The tab a link asked for (creating a queue goes on to its members). */
function tabAskedBy(state: unknown): string | undefined {
  const tab = (state as { tab?: unknown } | null)?.tab;
  return typeof tab === "string" ? tab : undefined;
}
