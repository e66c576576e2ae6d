import { Group, Select, Stack, TextInput } from "@mantine/core";
import { useSignedIn } from "../../auth/context";
import { useI18n } from "../../i18n";
import { useIsManager, useQueues, useTeam } from "./data";
import { PRIORITIES, STATUSES, type InboxFilters } from "./types";

/** The list's filters: what GET /api/conversations can filter on, plus a search within the loaded page. */
export function ListFilters({ filters, onChange }: { filters: InboxFilters; onChange: (next: InboxFilters) => void }) {
  const { t } = useI18n();
  const { user } = useSignedIn();
  const queues = useQueues();
  const team = useTeam();
  const manager = useIsManager();
  const set = (patch: Partial<InboxFilters>) => onChange({ ...filters, ...patch });
  const others = (team.data ?? []).filter((member) => member.id !== user.id).map((member) => ({ value: member.id, label: member.name }));

  return (
    <Stack gap={6}>
      <TextInput
        size="xs"
        label={t("inbox.filter.search")}
        placeholder={t("inbox.filter.searchHint")}
        value={filters.search}
        onChange={(event) => set({ search: event.currentTarget.value })}
      />
      <Group gap={6} grow>
        <Select
          size="xs"
          label={t("inbox.filter.status")}
          placeholder={t("inbox.filter.any")}
          clearable
          data={STATUSES.map((status) => ({ value: status, label: t(`inbox.status.${status}`) }))}
          value={filters.status}
          onChange={(value) => set({ status: value })}
        />
        <Select
          size="xs"
          label={t("inbox.filter.priority")}
          placeholder={t("inbox.filter.any")}
          clearable
          data={PRIORITIES.map((priority) => ({ value: priority, label: t(`inbox.priority.${priority}`) }))}
          value={filters.priority}
          onChange={(value) => set({ priority: value })}
        />
      </Group>
      <Group gap={6} grow>
        <Select
          size="xs"
          label={t("inbox.filter.queue")}
          placeholder={t("inbox.filter.any")}
          clearable
          data={(queues.data?.items ?? []).map((queue) => ({ value: queue.id, label: queue.name }))}
          value={filters.queueId}
          onChange={(value) => set({ queueId: value })}
        />
        <Select
          size="xs"
          label={t("inbox.filter.assignee")}
          placeholder={t("inbox.filter.anyone")}
          clearable
          searchable={manager}
          data={[{ value: user.id, label: t("inbox.filter.me") }, ...others]}
          value={filters.assignedTo}
          onChange={(value) => set({ assignedTo: value })}
        />
      </Group>
    </Stack>
  );
}
