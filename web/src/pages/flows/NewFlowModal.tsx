// Creating a flow: its name and trigger; it starts with only its start node, inactive, and opens in the builder.
import { Alert, Button, Group, Modal, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { EMPTY_DOCUMENT } from "./model";
import { FLOWS_QUERY } from "./queries";
import { TriggerFields, type Trigger } from "./trigger";

interface NewFlowModalProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (id: string) => void;
}

const NO_TRIGGER: Trigger = { trigger_type: "manual", trigger_value: null };

export function NewFlowModal({ opened, onClose, onCreated }: NewFlowModalProps) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [trigger, setTrigger] = useState<Trigger>(NO_TRIGGER);
  const create = useMutation({
    mutationFn: () => api.post("/api/flows", { body: { name: name.trim(), ...trigger, nodes: EMPTY_DOCUMENT, is_active: false } }),
    onSuccess: async (flow) => {
      await queryClient.invalidateQueries({ queryKey: FLOWS_QUERY });
      setName("");
      setTrigger(NO_TRIGGER);
      onCreated(flow.id);
    },
  });
  const problem = create.error ? problemText(create.error, t) : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t("flows.new")}>
      <form noValidate onSubmit={submit}>
        <Stack>
          <TextInput
            label={t("flows.name")}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={problem?.field === "name" ? problem.text : undefined}
            required
            data-autofocus
          />
          <TriggerFields
            value={trigger}
            onChange={setTrigger}
            errors={problem?.field === "trigger_type" || problem?.field === "trigger_value" ? { [problem.field]: problem.text } : {}}
          />
          {problem && !["name", "trigger_type", "trigger_value"].includes(problem.field ?? "") && (
            <Alert color="red" variant="light" role="alert">
              {problem.text}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("flows.cancel")}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              {t("flows.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
