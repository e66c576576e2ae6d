// /whatsapp: the installation's WhatsApp numbers, live. Admins add, disconnect,
// reconnect and delete them; supervisors watch (docs/permissions.md).
import { Button, Center, Group, Loader, Modal, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useState } from "react";
import { useMe } from "../../auth/me";
import { ListPager } from "../../components/ListPager";
import { LoadProblem } from "../../components/LoadProblem";
import { useI18n } from "../../i18n";
import { useSimulatorAvailable } from "../../layout/simulator";
import { ACCOUNTS_PER_PAGE, useAccountEvents, useAccounts, useQuotas } from "./accounts";
import { AccountCard } from "./AccountCard";
import { AddAccountForm } from "./AddAccountForm";

export function WhatsAppPage() {
  const { t } = useI18n();
  const { role } = useMe();
  const canManage = role === "admin";
  const simulatorOn = useSimulatorAvailable(role);
  const [page, setPage] = useState(1);
  const accounts = useAccounts(page);
  const quotas = useQuotas();
  const [adding, { open, close }] = useDisclosure();
  useAccountEvents();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("nav.whatsapp")}</Title>
        {canManage && <Button onClick={open}>{t("whatsapp.add")}</Button>}
      </Group>
      {!canManage && <Text c="gray.7">{t("whatsapp.readOnly")}</Text>}

      {accounts.isPending && (
        <Center p="xl">
          <Loader aria-label={t("app.loading")} />
        </Center>
      )}
      {accounts.isError && <LoadProblem error={accounts.error} onRetry={accounts.refetch} />}
      {accounts.data && accounts.data.items.length === 0 && <Text>{t(canManage ? "whatsapp.emptyAdmin" : "whatsapp.empty")}</Text>}
      {accounts.data && accounts.data.items.length > 0 && (
        <>
          <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
            {accounts.data.items.map((account) => (
              <AccountCard key={account.id} account={account} quota={quotas[account.id]} canManage={canManage} />
            ))}
          </SimpleGrid>
          <ListPager page={page} limit={ACCOUNTS_PER_PAGE} total={accounts.data.total} shown={accounts.data.items.length} onChange={setPage} />
        </>
      )}

      <Modal opened={adding} onClose={close} title={t("whatsapp.add")} centered closeButtonProps={{ "aria-label": t("shared.close") }}>
        <AddAccountForm simulatorOn={simulatorOn} onDone={close} />
      </Modal>
    </Stack>
  );
}
