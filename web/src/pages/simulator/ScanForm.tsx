// The simulator's pretend phone scans a number's QR code (POST /api/simulator/accounts/{id}/scan);
// the number then pairs and turns `connected`, which the socket tells every page.
import { Alert, Button, Group, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useApi } from "../../auth/context";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useFieldProblems } from "../../hooks/useFieldProblems";
import { useI18n } from "../../i18n";

const FIELDS = ["phone_number"] as const;

export function ScanForm({ accountId }: { accountId: string }) {
  const { t } = useI18n();
  const api = useApi();
  const [phone, setPhone] = useState("+52 55 1234 5678");
  const { problems, fail, clear } = useFieldProblems(FIELDS);
  const scan = useMutation({
    mutationFn: () => api.post("/api/simulator/accounts/{id}/scan", { path: { id: accountId }, body: { phone_number: phone.trim() } }),
    onMutate: clear,
    onError: fail,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    scan.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Group align="flex-end" gap="xs">
        <TextInput
          label={t("simulator.scanPhone")}
          description={t("simulator.scanPhoneHelp")}
          styles={READABLE_DESCRIPTION}
          value={phone}
          onChange={(event) => setPhone(event.currentTarget.value)}
          error={problems.phone_number}
          type="tel"
          required
        />
        <Button type="submit" loading={scan.isPending} variant="light">
          {t("simulator.scan")}
        </Button>
      </Group>
      {problems.form && (
        <Alert color="red" variant="light" role="alert" mt="xs">
          {problems.form}
        </Alert>
      )}
    </form>
  );
}
