// Every queue with its figures of the moment: open or closed, waiting, active,
// agents online and today's SLA compliance (for the queues the user may read
// figures of: admins all, supervisors theirs).
import { Alert, Anchor, Badge, Button, Group, Loader, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router";
import { useMe } from "../../auth/me";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { formatShare } from "./format";
import { PAGE_SIZE, useQueueList, useQueueRights, useQueueStats, type Queue } from "./queries";

export function QueueList() {
  const { t } = useI18n();
  const { role } = useMe();
  const [page, setPage] = useState(1);
  const list = useQueueList(page);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("nav.queues")}</Title>
        {role === "admin" && (
          <Button component={Link} to="new">
            {t("queues.new")}
          </Button>
        )}
      </Group>
      {list.isPending ? (
        <Loader aria-label={t("app.loading")} />
      ) : list.isError ? (
        <Alert color="red" variant="light" role="alert" title={t("queues.loadFailed")}>
          <Stack gap="xs" align="flex-start">
            <Text>{problemText(list.error, t).text}</Text>
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                list.refetch().catch(reportError);
              }}
            >
              {t("queues.retry")}
            </Button>
          </Stack>
        </Alert>
      ) : list.data.items.length === 0 ? (
        <Stack gap="xs" align="flex-start">
          <Text fw={500}>{t("queues.empty")}</Text>
          <Text c="gray.7">{role === "admin" ? t("queues.emptyAdmin") : t("queues.emptyOthers")}</Text>
        </Stack>
      ) : (
        <>
          <Table.ScrollContainer minWidth={800}>
            <Table highlightOnHover verticalSpacing="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("queues.col.name")}</Table.Th>
                  <Table.Th>{t("queues.col.open")}</Table.Th>
                  <Table.Th>{t("queues.field.method")}</Table.Th>
                  <Table.Th ta="right">{t("queues.stats.waiting")}</Table.Th>
                  <Table.Th ta="right">{t("queues.stats.active")}</Table.Th>
                  <Table.Th ta="right">{t("queues.col.online")}</Table.Th>
                  <Table.Th ta="right">{t("queues.stats.slaCompliance")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((queue) => (
                  <QueueRow key={queue.id} queue={queue} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {role !== "admin" && (
            <Text size="sm" c="gray.7">
              {t("queues.figuresSupervisedOnly")}
            </Text>
          )}
          {list.data.total > PAGE_SIZE && (
            <Pagination
              total={Math.ceil(list.data.total / PAGE_SIZE)}
              value={page}
              onChange={setPage}
              getControlProps={(control) => ({ "aria-label": t(`queues.page.${control}`) })}
            />
          )}
        </>
      )}
    </Stack>
  );
}

function QueueRow({ queue }: { queue: Queue }) {
  const { t, language } = useI18n();
  const rights = useQueueRights(queue);
  const stats = useQueueStats(queue.id, rights.manage);
  const online = queue.agents.filter((member) => member.status === "online").length;
  // Figures a user may not read show as a dash, as do those not read yet.
  const figure = (value: number | string | undefined) => value ?? "—";
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={queue.id} fw={500}>
          {queue.name}
        </Anchor>
        {queue.description && (
          <Text size="sm" c="gray.7" lineClamp={1}>
            {queue.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge color={queue.is_open ? "teal" : "gray"} variant="light">
          {queue.is_open ? t("queues.open") : t("queues.closed")}
        </Badge>
      </Table.Td>
      <Table.Td>{t(`queues.method.${queue.assignment_method}`)}</Table.Td>
      <Table.Td ta="right" data-column="waiting">
        {figure(stats.data?.waiting)}
      </Table.Td>
      <Table.Td ta="right">{figure(stats.data?.active)}</Table.Td>
      <Table.Td ta="right">{t("queues.onlineOf", { online, total: queue.agents.length })}</Table.Td>
      <Table.Td ta="right">{stats.data ? formatShare(stats.data.sla_compliance, language) : "—"}</Table.Td>
    </Table.Tr>
  );
}
