// One WhatsApp number: its state in words, its QR code while it waits for a
// scan, WhatsApp's quota warning, and what an admin can do with it now.
import { Alert, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import type { Account } from "../../api/types";
import { useApi } from "../../auth/context";
import { ConfirmButton } from "../../components/ConfirmButton";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { ACCOUNTS_QUERY, useAccountCommand, type Quota } from "./accounts";
import { QrPanel } from "./QrPanel";
import { StatusBadge, StatusReason } from "./status";

/** States in which the number holds (or is opening) a connection that disconnecting ends. */
const LIVE: ReadonlySet<Account["status"]> = new Set(["connected", "connecting", "qr", "reconnecting"]);

interface AccountCardProps {
  account: Account;
  quota: Quota | undefined;
  canManage: boolean;
}

export function AccountCard({ account, quota, canManage }: AccountCardProps) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ACCOUNTS_QUERY });
  const path = { id: account.id };
  const disconnect = useAccountCommand(account.id, "disconnect");
  const reconnect = useAccountCommand(account.id, "reconnect");
  const failed = disconnect.error ?? reconnect.error;
  const simulated = account.provider === "simulator";

  return (
    <Card withBorder component="article" aria-label={account.name}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Title order={3} size="h4">
              {account.name}
            </Title>
            <Text size="sm" c="gray.7">
              {account.phone_number ?? t("whatsapp.noPhone")}
              {simulated && ` · ${t("whatsapp.provider.simulator")}`}
            </Text>
          </div>
          <StatusBadge status={account.status} />
        </Group>
        <StatusReason reason={account.status_reason} />

        {account.status === "qr" && <QrPanel account={account} canScan={canManage} size={220} />}

        {quota && (
          <Alert color="orange" variant="light" title={t("whatsapp.quotaTitle")}>
            {t("whatsapp.quotaText", {
              used: quota.used ?? "?",
              total: quota.total ?? "?",
              ends: quota.cycle_ends_at ? new Date(quota.cycle_ends_at).toLocaleString() : "?",
            })}
          </Alert>
        )}

        {failed && (
          <Alert color="red" variant="light" role="alert">
            {problemText(failed, t).text}
          </Alert>
        )}

        {canManage && (
          <Group gap="xs">
            {LIVE.has(account.status) ? (
              <ConfirmButton
                label={t("whatsapp.disconnect")}
                message={t("whatsapp.disconnectConfirm", { name: account.name })}
                confirmLabel={t("whatsapp.disconnect")}
                variant="default"
                onConfirm={() => disconnect.mutateAsync()}
              />
            ) : (
              <Button size="xs" variant="light" loading={reconnect.isPending} onClick={() => reconnect.mutate()}>
                {t("whatsapp.reconnect")}
              </Button>
            )}
            <ConfirmButton
              label={t("whatsapp.delete")}
              message={t("whatsapp.deleteConfirm", { name: account.name })}
              confirmLabel={t("whatsapp.delete")}
              onConfirm={async () => {
                await api.delete("/api/whatsapp/accounts/{id}", { path });
                await refresh();
              }}
            />
          </Group>
        )}
      </Stack>
    </Card>
  );
}
