// A queue's members: agents and supervisors, their skills, adding and
// removing them. Admins do everything; a supervisor of the queue adds plain
// agents and changes or removes plain agents and themselves; the others read.
import { Alert, Button, Checkbox, Group, Select, Stack, Table, TagsInput, Text, Title, VisuallyHidden, type ComboboxItem } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useApi } from "../../auth/context";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { PresenceBadge } from "../../components/PresenceBadge";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { queueKeys, useQueueRights, type Queue, type QueueMember } from "./queries";

export function MembersPanel({ queue }: { queue: Queue }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const rights = useQueueRights(queue);
  const [problem, setProblem] = useState<string | null>(null);
  const [removing, setRemoving] = useState<QueueMember | null>(null);

  const mayChange = (member: QueueMember) => rights.grantSupervision || (rights.manage && (!member.is_supervisor || member.user_id === rights.myId));
  const refresh = () => queryClient.invalidateQueries({ queryKey: queueKeys.all });

  /** Adds a member, or changes one (the same call: docs/queues.md). */
  const save = async (body: { user_id: string; is_supervisor?: boolean; skills?: string[] }) => {
    setProblem(null);
    try {
      await api.post("/api/queues/{id}/agents", { path: { id: queue.id }, body });
    } catch (err) {
      setProblem(problemText(err, t).text);
    }
    await refresh();
  };

  return (
    <Stack maw={1000}>
      {problem && (
        <Alert color="red" variant="light" role="alert" withCloseButton closeButtonLabel={t("queues.members.dismiss")} onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}
      {rights.manage && <AddMember queue={queue} onAdd={save} />}
      {queue.agents.length === 0 ? (
        <Text c="gray.7">{t("queues.members.none")}</Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("queues.members.name")}</Table.Th>
                <Table.Th>{t("queues.members.status")}</Table.Th>
                <Table.Th>{t("queues.members.supervisor")}</Table.Th>
                <Table.Th>{t("queues.members.skills")}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t("queues.members.actions")}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {queue.agents.map((member) => {
                const editable = mayChange(member);
                return (
                  <Table.Tr key={member.user_id}>
                    <Table.Td>
                      <Text fw={500}>{member.name}</Text>
                      <Text size="sm" c="gray.7">
                        {t(`role.${member.role}`)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <PresenceBadge status={member.status} />
                    </Table.Td>
                    <Table.Td>
                      <Checkbox
                        aria-label={t("queues.members.supervisorOf", { name: member.name })}
                        checked={member.is_supervisor}
                        disabled={!rights.grantSupervision}
                        onChange={(event) => {
                          save({ user_id: member.user_id, is_supervisor: event.currentTarget.checked }).catch(reportError);
                        }}
                      />
                    </Table.Td>
                    <Table.Td>
                      <TagsInput
                        aria-label={t("queues.members.skillsOf", { name: member.name })}
                        value={member.skills}
                        disabled={!editable}
                        placeholder={editable ? t("queues.members.skillsPlaceholder") : undefined}
                        onChange={(skills) => {
                          save({ user_id: member.user_id, skills }).catch(reportError);
                        }}
                      />
                    </Table.Td>
                    <Table.Td>
                      {editable && (
                        <Button
                          variant="subtle"
                          color="red"
                          size="xs"
                          onClick={() => setRemoving(member)}
                          aria-label={t("queues.members.removeOf", { name: member.name })}
                        >
                          {t("queues.members.remove")}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmDialog
        opened={removing !== null}
        title={t("queues.members.removeTitle")}
        confirmLabel={t("queues.members.remove")}
        cancelLabel={t("queues.cancel")}
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await api.delete("/api/queues/{id}/agents/{user_id}", { path: { id: queue.id, user_id: removing.user_id } });
          await refresh();
        }}
      >
        {t("queues.members.removeText", { name: removing?.name ?? "", queue: queue.name })}
      </ConfirmDialog>
    </Stack>
  );
}

/** Picks a user who is not a member yet (searched on the engine) and adds them. */
function AddMember({ queue, onAdd }: { queue: Queue; onAdd: (body: { user_id: string; is_supervisor: boolean; skills: string[] }) => Promise<void> }) {
  const { t } = useI18n();
  const api = useApi();
  const rights = useQueueRights(queue);
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 250);
  const [picked, setPicked] = useState<ComboboxItem | null>(null);
  const [supervisor, setSupervisor] = useState(false);
  const [skills, setSkills] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const headingId = useId();
  // Once a user is picked the box shows their label: that is not a new search.
  const term = picked && debounced === picked.label ? "" : debounced.trim();
  const users = useQuery({
    queryKey: ["users", "search", term],
    queryFn: ({ signal }) => api.get("/api/users", { query: { search: term || undefined, limit: 50 }, signal }),
  });
  const members = new Set(queue.agents.map((member) => member.user_id));
  const options = (users.data?.items ?? [])
    .filter((user) => !members.has(user.id) && user.is_active)
    .map((user) => ({ value: user.id, label: `${user.name} · ${t(`role.${user.role}`)} · ${user.email}` }));
  if (picked && !options.some((option) => option.value === picked.value)) options.unshift(picked);

  const add = async () => {
    if (!picked) return;
    setBusy(true);
    await onAdd({ user_id: picked.value, is_supervisor: supervisor, skills });
    setBusy(false);
    setPicked(null);
    setSearch("");
    setSupervisor(false);
    setSkills([]);
  };

  return (
    <Stack gap="xs" component="section" aria-labelledby={headingId}>
      <Title order={3} size="h4" id={headingId}>
        {t("queues.members.add")}
      </Title>
      <Group align="flex-end">
        <Select
          label={t("queues.members.user")}
          placeholder={t("queues.members.userPlaceholder")}
          searchable
          w={360}
          data={options}
          value={picked?.value ?? null}
          onChange={(_value, option) => setPicked(option)}
          searchValue={search}
          onSearchChange={setSearch}
          // The engine has searched already (name or email).
          filter={({ options: all }) => all}
          nothingFoundMessage={users.isFetching ? t("app.loading") : t("queues.members.noUsers")}
        />
        <TagsInput label={t("queues.members.skills")} w={260} value={skills} onChange={setSkills} placeholder={t("queues.members.skillsPlaceholder")} />
        {rights.grantSupervision && (
          <Checkbox mb={8} label={t("queues.members.asSupervisor")} checked={supervisor} onChange={(event) => setSupervisor(event.currentTarget.checked)} />
        )}
        <Button
          disabled={!picked}
          loading={busy}
          onClick={() => {
            add().catch(reportError);
          }}
        >
          {t("queues.members.addButton")}
        </Button>
      </Group>
    </Stack>
  );
}
