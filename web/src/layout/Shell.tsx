// The frame of every signed-in page: the header, the navigation the user's role
// allows, and the account section (status, language, logout).
import { AppShell, Badge, Burger, Button, Divider, Group, NavLink, ScrollArea, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { NavLink as RouterLink, Outlet } from "react-router";
import { useSession, useSignedIn } from "../auth/context";
import { ME_QUERY, useMe } from "../auth/me";
import { useI18n } from "../i18n";
import { useRealtimeStatus, useResync, type RealtimeStatus } from "../realtime/socket";
import { LanguageSwitch } from "./LanguageSwitch";
import { StatusSwitch } from "./StatusSwitch";
import { useVisiblePages } from "./visible-pages";

const REALTIME = {
  connected: { color: "teal", label: "shell.realtimeConnected" },
  connecting: { color: "gray", label: "shell.realtimeConnecting" },
  offline: { color: "red", label: "shell.realtimeOffline" },
} as const satisfies Record<RealtimeStatus, unknown>;

const PRESENCE_SETTLES_MS = 1_000;

export function Shell() {
  const { t } = useI18n();
  const session = useSession();
  const { user } = useSignedIn();
  const [opened, { toggle, close }] = useDisclosure();
  const realtime = REALTIME[useRealtimeStatus()];
  const pages = useVisiblePages();
  const { me, role } = useMe();
  const queryClient = useQueryClient();
  // The engine marks an offline user online once their socket is in (a moment after `connect`): read the status again then.
  useResync(() => {
    setTimeout(() => {
      queryClient.invalidateQueries({ queryKey: ME_QUERY }).catch(reportError);
    }, PRESENCE_SETTLES_MS);
  });

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 280, breakpoint: "sm", collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("shell.toggleNavigation")} />
            <Title order={1} size="h3">
              {t("app.name")}
            </Title>
          </Group>
          <Badge color={realtime.color} variant="dot" role="status">
            {t(realtime.label)}
          </Badge>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label={t("shell.navigation")}>
        <AppShell.Section grow component={ScrollArea}>
          {pages.map((page) => (
            <NavLink key={page.path} component={RouterLink} to={page.path} label={t(page.label)} onClick={close} />
          ))}
        </AppShell.Section>
        <Divider my="sm" />
        <AppShell.Section>
          <Stack gap="sm" aria-label={t("shell.account")} component="section">
            <div>
              <Text fw={600} truncate>
                {me?.name ?? user.name}
              </Text>
              <Text size="sm" c="gray.7" truncate>
                {me?.email ?? user.email} · {t(`role.${role}`)}
              </Text>
            </div>
            <StatusSwitch me={me} />
            <Group justify="space-between">
              <LanguageSwitch />
              <Button
                variant="default"
                size="xs"
                onClick={() => {
                  session.logout().catch(reportError);
                }}
              >
                {t("shell.logout")}
              </Button>
            </Group>
          </Stack>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
