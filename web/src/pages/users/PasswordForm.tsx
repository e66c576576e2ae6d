// Sets a user's password. An admin setting someone else's needs nothing more;
// their own takes the current one too (the engine refuses it on `current_password` otherwise).
import { Alert, Button, Group, PasswordInput, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { User } from "../../api/types";
import { useApi } from "../../auth/context";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useFieldProblems } from "../../hooks/useFieldProblems";
import { useI18n } from "../../i18n";
import { MIN_PASSWORD } from "./users";

const FIELDS = ["password", "current_password"] as const;

export function PasswordForm({ user, self, onDone }: { user: User; self: boolean; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [password, setPassword] = useState("");
  const [current, setCurrent] = useState("");
  const { problems, setProblems, fail, clear } = useFieldProblems(FIELDS);
  const save = useMutation({
    mutationFn: () => api.put("/api/users/{id}", { path: { id: user.id }, body: self ? { password, current_password: current } : { password } }),
    onMutate: clear,
    onError: fail,
    onSuccess: onDone,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) setProblems({ password: t("users.passwordShort", { min: MIN_PASSWORD }) });
    else save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">{t(self ? "users.passwordSelfHelp" : "users.passwordOtherHelp", { name: user.name })}</Text>
        {self && (
          <PasswordInput
            label={t("users.currentPassword")}
            autoComplete="current-password"
            value={current}
            onChange={(event) => setCurrent(event.currentTarget.value)}
            error={problems.current_password}
            required
          />
        )}
        <PasswordInput
          label={t("users.newPassword")}
          description={t("users.passwordShort", { min: MIN_PASSWORD })}
          styles={READABLE_DESCRIPTION}
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={problems.password}
          required
          data-autofocus
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
          <Button type="submit" loading={save.isPending}>
            {t("users.setPassword")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
