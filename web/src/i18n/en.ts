// English texts of the console. `{name}` marks a value filled in by `t(key, { name })`.
// es.ts must have exactly these keys (it does not compile otherwise).
export const en = {
  "app.name": "Charla",
  "app.loading": "Loading…",
  "language.label": "Language",
  "language.es": "Español",
  "language.en": "English",

  "login.title": "Sign in to Charla",
  "login.email": "Email",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.emailRequired": "Enter your email",
  "login.passwordRequired": "Enter your password",
  "login.tooManyAttempts": "Too many attempts. Try again in {seconds} s.",

  "session.endedTitle": "Your session ended",
  "session.endedText": "It was closed on the server (a logout elsewhere, a password change, or an administrator). Sign in again to go on.",
  "session.signInAgain": "Sign in again",

  "error.network": "The engine could not be reached. Check your connection and try again.",
  "error.unexpected": "Something went wrong ({status}). Try again.",

  "shell.navigation": "Main navigation",
  "shell.toggleNavigation": "Show or hide the navigation",
  "shell.account": "Your account",
  "shell.logout": "Log out",
  "shell.realtimeConnected": "Live",
  "shell.realtimeConnecting": "Connecting…",
  "shell.realtimeOffline": "Offline: reconnecting",

  "status.label": "Your status",
  "status.online": "Online",
  "status.away": "Away",
  "status.offline": "Offline",
  "status.saveFailed": "Your status was not saved: {message}",

  "role.admin": "Administrator",
  "role.supervisor": "Supervisor",
  "role.agent": "Agent",

  "nav.inbox": "Inbox",
  "nav.whatsapp": "WhatsApp numbers",
  "nav.queues": "Queues",
  "nav.flows": "Flows",
  "nav.users": "Users",
  "nav.quickReplies": "Quick replies",
  "nav.odoo": "Odoo",
  "nav.simulator": "Simulator",

  "page.coming": "Coming soon",
  "page.comingText": "This page is not built yet. It will come in a next version of the console; the engine's API for it already works ({api}).",
  "page.notFound": "There is no such page.",
  "page.backHome": "Go to the inbox",
} as const;

export type MessageKey = keyof typeof en;
