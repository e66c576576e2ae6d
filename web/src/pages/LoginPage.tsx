// Sign in (POST /api/auth/login). The engine's refusals are shown in the form:
// on the field it names, else above the button (wrong credentials, too many attempts, no connection).
import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { useSession } from "../auth/context";
import { useI18n } from "../i18n";
import { LanguageSwitch } from "../layout/LanguageSwitch";
import { problemText } from "./problem";

interface Problems {
  email?: string;
  password?: string;
  form?: string;
}

export function LoginPage() {
  const { t } = useI18n();
  const session = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Problems = {};
    if (!email.trim()) missing.email = t("login.emailRequired");
    if (!password) missing.password = t("login.passwordRequired");
    setProblems(missing);
    if (missing.email || missing.password) return;
    setBusy(true);
    try {
      await session.login(email.trim(), password);
    } catch (err) {
      const { field, text } = problemText(err, t);
      setProblems(field === "email" || field === "password" ? { [field]: text } : { form: text });
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <form
          noValidate
          onSubmit={(event) => {
            submit(event).catch(reportError);
          }}
        >
          <Stack>
            <Title order={1} size="h2">
              {t("login.title")}
            </Title>
            <TextInput
              label={t("login.email")}
              type="email"
              autoComplete="username"
              value={email}
              onChange={(event) => setEmail(event.currentTarget.value)}
              error={problems.email}
              required
              data-autofocus
            />
            <PasswordInput
              label={t("login.password")}
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
              error={problems.password}
              required
            />
            {problems.form && (
              <Alert color="red" variant="light" role="alert">
                {problems.form}
              </Alert>
            )}
            <Button type="submit" loading={busy} fullWidth>
              {t("login.submit")}
            </Button>
            <Group justify="center">
              <LanguageSwitch />
            </Group>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
