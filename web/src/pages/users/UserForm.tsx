// Creates a user (email, name, role, password) or edits one (name, role,
// active). The engine's refusals land on the field they name: a taken email
// (CONFLICT on email), the last admin (LAST_ADMIN on role or is_active).
import { Alert, Button, Group, NativeSelect, PasswordInput, Stack, Switch, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { Role, User } from "../../api/types";
import { useApi } from "../../auth/context";
import { ME_QUERY } from "../../auth/me";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useFieldProblems } from "../../hooks/useFieldProblems";
import { useI18n } from "../../i18n";
import { MIN_PASSWORD, ROLES, USERS_QUERY } from "./users";

const FIELDS = ["email", "name", "role", "password", "is_active"] as const;

export function UserForm({ user, onDone }: { user?: User; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState(user?.email ?? "");
  const [name, setName] = useState(user?.name ?? "");
  const [role, setRole] = useState<Role>(user?.role ?? "agent");
  const [password, setPassword] = useState("");
  const [active, setActive] = useState(user?.is_active ?? true);
  const { problems, setProblems, fail, clear } = useFieldProblems(FIELDS);

  const save = useMutation({
    mutationFn: () =>
      user
        ? api.put("/api/users/{id}", { path: { id: user.id }, body: { name: name.trim(), role, is_active: active } })
        : api.post("/api/users", { body: { email: email.trim(), name: name.trim(), role, password } }),
    onMutate: clear,
    onError: fail,
    onSuccess: async () => {
      // The signed-in admin may have edited themselves: the shell shows their name.
      await Promise.all([queryClient.invalidateQueries({ queryKey: USERS_QUERY }), queryClient.invalidateQueries({ queryKey: ME_QUERY })]);
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const missing: typeof problems = {};
    if (!user && !email.trim()) missing.email = t("users.emailRequired");
    if (!name.trim()) missing.name = t("users.nameRequired");
    if (!user && password.length < MIN_PASSWORD) missing.password = t("users.passwordShort", { min: MIN_PASSWORD });
    setProblems(missing);
    if (Object.keys(missing).length === 0) save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {user ? (
          <TextInput label={t("users.email")} value={user.email} readOnly disabled />
        ) : (
          <TextInput
            label={t("users.email")}
            type="email"
            autoComplete="off"
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
            error={problems.email}
            required
            data-autofocus
          />
        )}
        <TextInput label={t("users.name")} value={name} onChange={(event) => setName(event.currentTarget.value)} error={problems.name} required />
        <NativeSelect
          label={t("users.role")}
          value={role}
          onChange={(event) => setRole(event.currentTarget.value as Role)}
          data={ROLES.map((value) => ({ value, label: t(`role.${value}`) }))}
          error={problems.role}
        />
        {user ? (
          <Switch
            label={t("users.active")}
            description={t("users.activeHelp")}
            styles={READABLE_DESCRIPTION}
            checked={active}
            onChange={(event) => setActive(event.currentTarget.checked)}
            error={problems.is_active}
          />
        ) : (
          <PasswordInput
            label={t("users.password")}
            description={t("users.passwordShort", { min: MIN_PASSWORD })}
            styles={READABLE_DESCRIPTION}
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            error={problems.password}
            required
          />
        )}
        {problems.form && (
          <Alert color="red" variant="light" role="alert">
            {problems.form}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t("shared.cancel")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t(user ? "shared.save" : "users.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
