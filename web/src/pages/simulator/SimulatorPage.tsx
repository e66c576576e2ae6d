// /simulator (admins, while the engine's simulator is on): a pretend phone on a
// simulated number. It links the number (scans its QR code) and then chats as
// a customer, the quickest way to try a flow or show Charla.
import { Alert, Anchor, Button, Center, Group, Loader, NativeSelect, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import type { Account } from "../../api/types";
import { LoadProblem } from "../../components/LoadProblem";
import { useTabState } from "../../hooks/useTabState";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { useAccountCommand, useAccountEvents, useAccounts } from "../whatsapp/accounts";
import { QrPanel } from "../whatsapp/QrPanel";
import { StatusBadge, StatusReason } from "../whatsapp/status";
import { Phone } from "./Phone";

const CHOSEN_QUERY = ["simulator-number"] as const;

export function SimulatorPage() {
  const { t } = useI18n();
  const accounts = useAccounts();
  useAccountEvents();
  const simulated = (accounts.data?.items ?? []).filter((account) => account.provider === "simulator");
  // Kept for the tab: coming back to the page finds the same number.
  const [chosen, setChosen] = useTabState<string | null>(CHOSEN_QUERY, null);
  // The first simulated number until one is chosen (or when the chosen one was deleted).
  const account = simulated.find((item) => item.id === chosen) ?? simulated[0];

  return (
    <Stack>
      <Title order={2}>{t("nav.simulator")}</Title>
      <Text c="gray.7">{t("simulator.intro")}</Text>
      {accounts.isPending && (
        <Center p="xl">
          <Loader aria-label={t("app.loading")} />
        </Center>
      )}
      {accounts.isError && <LoadProblem error={accounts.error} onRetry={accounts.refetch} />}
      {accounts.data && !account && (
        <Text>
          {t("simulator.noNumber")}{" "}
          <Anchor component={Link} to="/whatsapp">
            {t("simulator.goToNumbers")}
          </Anchor>
        </Text>
      )}
      {account && (
        <>
          <Group align="flex-end">
            <NativeSelect
              label={t("simulator.number")}
              value={account.id}
              onChange={(event) => {
                const id = event.currentTarget.value;
                setChosen(() => id);
              }}
              data={simulated.map((item) => ({ value: item.id, label: item.phone_number ? `${item.name} (${item.phone_number})` : item.name }))}
            />
            <StatusBadge status={account.status} />
          </Group>
          <StatusReason reason={account.status_reason} />
          {account.status === "qr" && <QrPanel account={account} canScan size={180} />}
          {account.status === "connected" && <Phone key={account.id} account={account} />}
          {account.status !== "qr" && account.status !== "connected" && <NotConnected key={account.id} account={account} />}
        </>
      )}
    </Stack>
  );
}

/** A simulated number that is neither connected nor showing a code: reconnecting it shows a new code to scan here. */
function NotConnected({ account }: { account: Account }) {
  const { t } = useI18n();
  const reconnect = useAccountCommand(account.id, "reconnect");
  return (
    <Stack gap="xs" align="flex-start">
      <Text>{t("simulator.notConnected")}</Text>
      <Button variant="light" loading={reconnect.isPending} onClick={() => reconnect.mutate()}>
        {t("whatsapp.reconnect")}
      </Button>
      {reconnect.isError && (
        <Alert color="red" variant="light" role="alert">
          {problemText(reconnect.error, t).text}
        </Alert>
      )}
    </Stack>
  );
}
