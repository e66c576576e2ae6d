// /users: who can sign in. Admins create, edit, set passwords and delete;
// supervisors read (docs/permissions.md).
import { Badge, Button, Center, Group, Loader, Modal, NativeSelect, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Role, User, UserStatus } from "../../api/types";
import { useApi } from "../../auth/context";
import { useMe } from "../../auth/me";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ListPager } from "../../components/ListPager";
import { LoadProblem } from "../../components/LoadProblem";
import { useDialog } from "../../hooks/useDialog";
import { useI18n, type Translate } from "../../i18n";
import { PasswordForm } from "./PasswordForm";
import { UserForm } from "./UserForm";
import { ROLES, STATUSES, USERS_PER_PAGE, USERS_QUERY, useUsers, type UserFilters } from "./users";

type Dialog = { kind: "create" } | { kind: "edit"; user: User } | { kind: "password"; user: User };

export function UsersPage() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const { me, role } = useMe();
  const canManage = role === "admin";
  const [page, setPage] = useState(1);
  const [filters, setFilters] = useState<UserFilters>({ search: "", role: "", status: "" });
  // Typing in the search box asks the engine once the typing pauses.
  const [debounced] = useDebouncedValue(filters, 300);
  const users = useUsers(page, debounced);
  const dialog = useDialog<Dialog>();
  const close = dialog.close;
  const filter = (change: Partial<UserFilters>) => {
    setFilters((current) => ({ ...current, ...change }));
    setPage(1);
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("nav.users")}</Title>
        {canManage && <Button onClick={() => dialog.open({ kind: "create" })}>{t("users.new")}</Button>}
      </Group>
      {!canManage && <Text c="gray.7">{t("users.readOnly")}</Text>}

      <Group align="flex-end">
        <TextInput
          label={t("users.search")}
          placeholder={t("users.searchPlaceholder")}
          value={filters.search}
          onChange={(event) => filter({ search: event.currentTarget.value })}
        />
        <NativeSelect
          label={t("users.role")}
          value={filters.role}
          onChange={(event) => filter({ role: event.currentTarget.value as Role | "" })}
          data={[{ value: "", label: t("users.anyRole") }, ...ROLES.map((value) => ({ value, label: t(`role.${value}`) }))]}
        />
        <NativeSelect
          label={t("users.status")}
          value={filters.status}
          onChange={(event) => filter({ status: event.currentTarget.value as UserStatus | "" })}
          data={[{ value: "", label: t("users.anyStatus") }, ...STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))]}
        />
      </Group>

      {users.isPending && (
        <Center p="xl">
          <Loader aria-label={t("app.loading")} />
        </Center>
      )}
      {users.isError && <LoadProblem error={users.error} onRetry={users.refetch} />}
      {users.data && users.data.items.length === 0 && <Text>{t("users.empty")}</Text>}
      {users.data && users.data.items.length > 0 && (
        <>
          <Table.ScrollContainer minWidth={720}>
            <Table striped highlightOnHover aria-label={t("nav.users")}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("users.name")}</Table.Th>
                  <Table.Th>{t("users.email")}</Table.Th>
                  <Table.Th>{t("users.role")}</Table.Th>
                  <Table.Th>{t("users.status")}</Table.Th>
                  {canManage && <Table.Th>{t("users.actions")}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.items.map((user) => (
                  <Table.Tr key={user.id}>
                    <Table.Td>
                      {user.name}
                      {!user.is_active && (
                        <Badge ml="xs" color="gray" variant="outline">
                          {t("users.inactive")}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{user.email}</Table.Td>
                    <Table.Td>{t(`role.${user.role}`)}</Table.Td>
                    <Table.Td>{t(`status.${user.status}`)}</Table.Td>
                    {canManage && (
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Button
                            size="xs"
                            variant="light"
                            onClick={() => dialog.open({ kind: "edit", user })}
                            aria-label={t("users.editNamed", { name: user.name })}
                          >
                            {t("users.edit")}
                          </Button>
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => dialog.open({ kind: "password", user })}
                            aria-label={t("users.passwordNamed", { name: user.name })}
                          >
                            {t("users.password")}
                          </Button>
                          <ConfirmButton
                            label={t("users.delete")}
                            aria-label={t("users.deleteNamed", { name: user.name })}
                            title={t("users.deleteNamed", { name: user.name })}
                            message={t("users.deleteConfirm", { name: user.name, email: user.email })}
                            confirmLabel={t("users.delete")}
                            onConfirm={async () => {
                              await api.delete("/api/users/{id}", { path: { id: user.id } });
                              await queryClient.invalidateQueries({ queryKey: USERS_QUERY });
                            }}
                          />
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <ListPager page={page} limit={USERS_PER_PAGE} total={users.data.total} shown={users.data.items.length} onChange={setPage} />
        </>
      )}

      <Modal opened={dialog.opened} onClose={close} title={dialogTitle(dialog.content, t)} centered closeButtonProps={{ "aria-label": t("shared.close") }}>
        {dialog.content?.kind === "create" && <UserForm onDone={close} />}
        {dialog.content?.kind === "edit" && <UserForm key={dialog.content.user.id} user={dialog.content.user} onDone={close} />}
        {dialog.content?.kind === "password" && <PasswordForm user={dialog.content.user} self={dialog.content.user.id === me?.id} onDone={close} />}
      </Modal>
    </Stack>
  );
}

function dialogTitle(dialog: Dialog | null, t: Translate): string {
  if (!dialog) return "";
  if (dialog.kind === "create") return t("users.new");
  return t(dialog.kind === "edit" ? "users.editNamed" : "users.passwordNamed", { name: dialog.user.name });
}
