// A queue's figures for today, kept live (queries.ts says how).
import { Alert, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { PresenceBadge } from "../../components/PresenceBadge";
import { useId } from "react";
import { useI18n, type MessageKey } from "../../i18n";
import { problemText } from "../problem";
import { formatDuration, formatShare } from "./format";
import { useQueueStats, type Queue } from "./queries";

/** One figure, as a group named by its label (so it reads, and is found, as "Waiting: 3"). */
function Figure({ label, value }: { label: MessageKey; value: string | number }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <Paper withBorder p="md" radius="md" role="group" aria-labelledby={id}>
      <Text size="sm" c="gray.7" id={id}>
        {t(label)}
      </Text>
      <Text fz={28} fw={700}>
        {value}
      </Text>
    </Paper>
  );
}

export function QueueStatsPanel({ queue }: { queue: Queue }) {
  const { t, language } = useI18n();
  const stats = useQueueStats(queue.id, true);

  if (stats.isPending) return <Loader aria-label={t("app.loading")} />;
  if (stats.isError)
    return (
      <Alert color="red" variant="light" role="alert">
        {problemText(stats.error, t).text}
      </Alert>
    );
  const data = stats.data;
  return (
    <Stack maw={1000}>
      <SimpleGrid cols={{ base: 2, sm: 3 }}>
        <Figure label="queues.stats.waiting" value={data.waiting} />
        <Figure label="queues.stats.active" value={data.active} />
        <Figure label="queues.stats.resolvedToday" value={data.resolved_today} />
        <Figure label="queues.stats.avgFirstResponse" value={formatDuration(data.avg_first_response)} />
        <Figure label="queues.stats.avgResolution" value={formatDuration(data.avg_resolution)} />
        <Figure label="queues.stats.slaCompliance" value={formatShare(data.sla_compliance, language)} />
      </SimpleGrid>
      <Text size="sm" c="gray.7">
        {t("queues.stats.updated", { time: new Date(stats.dataUpdatedAt).toLocaleTimeString(language) })}
      </Text>
      <Title order={3} size="h4">
        {t("queues.stats.agents")}
      </Title>
      {data.agents.length === 0 ? (
        <Text c="gray.7">{t("queues.members.none")}</Text>
      ) : (
        <Table.ScrollContainer minWidth={500}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("queues.members.name")}</Table.Th>
                <Table.Th>{t("queues.members.status")}</Table.Th>
                <Table.Th>{t("queues.stats.agentActive")}</Table.Th>
                <Table.Th>{t("queues.stats.agentResolved")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.agents.map((agent) => (
                <Table.Tr key={agent.user_id}>
                  <Table.Td>{agent.name}</Table.Td>
                  <Table.Td>
                    <PresenceBadge status={agent.status} />
                  </Table.Td>
                  <Table.Td>{agent.active_conversations}</Table.Td>
                  <Table.Td>{agent.resolved_today}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
