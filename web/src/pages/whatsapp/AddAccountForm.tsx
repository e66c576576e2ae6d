// Adds a number (POST /api/whatsapp/accounts): the engine starts connecting at
// once and the new card shows its QR code as soon as one exists. The provider
// is asked for because only the engine knows whether its simulator is on: while
// it is off, choosing it is refused on `provider`, and the form says so there.
import { Alert, Button, Group, NativeSelect, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { Account } from "../../api/types";
import { useApi } from "../../auth/context";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useFieldProblems } from "../../hooks/useFieldProblems";
import { useI18n } from "../../i18n";
import { ACCOUNTS_QUERY } from "./accounts";

const FIELDS = ["name", "provider"] as const;
const PROVIDERS = ["baileys", "simulator"] as const satisfies readonly Account["provider"][];

export function AddAccountForm({ simulatorOn, onDone }: { simulatorOn: boolean; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [provider, setProvider] = useState<Account["provider"]>(simulatorOn ? "simulator" : "baileys");
  const { problems, setProblems, fail, clear } = useFieldProblems(FIELDS);
  const create = useMutation({
    mutationFn: () => api.post("/api/whatsapp/accounts", { body: { name: name.trim(), provider } }),
    onMutate: clear,
    onError: fail,
    onSuccess: async () => {
      // The simulator's page appears once there is a simulator number.
      await Promise.all([queryClient.invalidateQueries({ queryKey: ACCOUNTS_QUERY }), queryClient.invalidateQueries({ queryKey: ["simulator-available"] })]);
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) setProblems({ name: t("whatsapp.nameRequired") });
    else create.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label={t("whatsapp.name")}
          placeholder={t("whatsapp.namePlaceholder")}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={problems.name}
          required
          data-autofocus
        />
        <NativeSelect
          label={t("whatsapp.providerLabel")}
          description={t("whatsapp.providerHelp")}
          styles={READABLE_DESCRIPTION}
          value={provider}
          onChange={(event) => setProvider(event.currentTarget.value as Account["provider"])}
          data={PROVIDERS.map((value) => ({ value, label: t(`whatsapp.provider.${value}`) }))}
          error={problems.provider}
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
          <Button type="submit" loading={create.isPending}>
            {t("whatsapp.add")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
