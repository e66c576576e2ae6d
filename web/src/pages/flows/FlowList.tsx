// The flows: open, create, duplicate, delete (after a confirmation) and switch on or off.
import { Alert, Anchor, Badge, Button, Group, Loader, Modal, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import type { FlowSummary } from "./model";
import { NewFlowModal } from "./NewFlowModal";
import { FLOWS_QUERY, useFlows } from "./queries";
import { TriggerText } from "./trigger";

export function FlowList() {
  const { t } = useI18n();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const flows = useFlows();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<FlowSummary | null>(null);

  const done = () => queryClient.invalidateQueries({ queryKey: FLOWS_QUERY });
  const toggle = useMutation({
    mutationFn: (flow: FlowSummary) => api.put("/api/flows/{id}/toggle", { path: { id: flow.id }, body: { is_active: !flow.is_active } }),
    onSettled: done,
  });
  const duplicate = useMutation({ mutationFn: (flow: FlowSummary) => api.post("/api/flows/{id}/duplicate", { path: { id: flow.id } }), onSettled: done });
  const remove = useMutation({
    mutationFn: (flow: FlowSummary) => api.delete("/api/flows/{id}", { path: { id: flow.id } }),
    onSuccess: () => setDeleting(null),
    onSettled: done,
  });
  const failure = [toggle, duplicate].find((mutation) => mutation.error)?.error;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("nav.flows")}</Title>
        <Button onClick={() => setCreating(true)}>{t("flows.new")}</Button>
      </Group>
      {failure && (
        <Alert color="red" variant="light" role="alert">
          {problemText(failure, t).text}
        </Alert>
      )}
      {flows.isPending ? (
        <Loader aria-label={t("app.loading")} />
      ) : flows.isError ? (
        <Alert color="red" variant="light" role="alert">
          {problemText(flows.error, t).text}
        </Alert>
      ) : flows.data.items.length === 0 ? (
        <Text c="gray.7">{t("flows.empty")}</Text>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("flows.name")}</Table.Th>
              <Table.Th>{t("flows.trigger")}</Table.Th>
              <Table.Th>{t("flows.active")}</Table.Th>
              <Table.Th>{t("flows.version")}</Table.Th>
              <Table.Th>{t("flows.actions")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {flows.data.items.map((flow) => (
              <Table.Tr key={flow.id}>
                <Table.Td>
                  <Anchor component={Link} to={flow.id}>
                    {flow.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <TriggerText flow={flow} />
                </Table.Td>
                <Table.Td>
                  <Switch
                    checked={flow.is_active}
                    aria-label={t("flows.activeOf", { name: flow.name })}
                    disabled={toggle.isPending}
                    onChange={() => toggle.mutate(flow)}
                  />
                </Table.Td>
                <Table.Td>{flow.version === null ? "—" : <Badge variant="light">v{flow.version}</Badge>}</Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button size="xs" variant="default" component={Link} to={flow.id}>
                      {t("flows.open")}
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      loading={duplicate.isPending && duplicate.variables.id === flow.id}
                      onClick={() => duplicate.mutate(flow)}
                    >
                      {t("flows.duplicate")}
                    </Button>
                    <Button size="xs" variant="light" color="red" onClick={() => setDeleting(flow)}>
                      {t("flows.delete")}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <NewFlowModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(id) => {
          navigate(id)?.catch(reportError);
        }}
      />
      <Modal
        opened={deleting !== null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        title={t("flows.deleteTitle")}
      >
        <Stack>
          <Text>{t("flows.deleteText", { name: deleting?.name ?? "" })}</Text>
          {remove.error && (
            <Alert color="red" variant="light" role="alert">
              {problemText(remove.error, t).text}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              {t("flows.cancel")}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => deleting && remove.mutate(deleting)}>
              {t("flows.delete")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
