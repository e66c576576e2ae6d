// Textos de la consola en español (las mismas claves que en.ts).
import type { MessageKey } from "./en";

export const es: Record<MessageKey, string> = {
  "app.name": "Charla",
  "app.loading": "Cargando…",
  "language.label": "Idioma",
  "language.es": "Español",
  "language.en": "English",

  "login.title": "Iniciar sesión en Charla",
  "login.email": "Correo electrónico",
  "login.password": "Contraseña",
  "login.submit": "Entrar",
  "login.emailRequired": "Escriba su correo electrónico",
  "login.passwordRequired": "Escriba su contraseña",
  "login.tooManyAttempts": "Demasiados intentos. Vuelva a intentarlo en {seconds} s.",

  "session.endedTitle": "Su sesión terminó",
  "session.endedText":
    "Se cerró en el servidor (un cierre de sesión en otro lugar, un cambio de contraseña o un administrador). Vuelva a iniciar sesión para continuar.",
  "session.signInAgain": "Iniciar sesión de nuevo",

  "error.network": "No se pudo contactar con el motor. Revise su conexión e inténtelo de nuevo.",
  "error.unexpected": "Algo salió mal ({status}). Inténtelo de nuevo.",

  "shell.navigation": "Navegación principal",
  "shell.toggleNavigation": "Mostrar u ocultar la navegación",
  "shell.account": "Su cuenta",
  "shell.logout": "Cerrar sesión",
  "shell.realtimeConnected": "En vivo",
  "shell.realtimeConnecting": "Conectando…",
  "shell.realtimeOffline": "Sin conexión: reconectando",

  "status.label": "Su estado",
  "status.online": "En línea",
  "status.away": "Ausente",
  "status.offline": "Desconectado",
  "status.saveFailed": "No se guardó su estado: {message}",

  "role.admin": "Administrador",
  "role.supervisor": "Supervisor",
  "role.agent": "Agente",

  "nav.inbox": "Bandeja de entrada",
  "nav.whatsapp": "Números de WhatsApp",
  "nav.queues": "Colas",
  "nav.flows": "Flujos",
  "nav.users": "Usuarios",
  "nav.quickReplies": "Respuestas rápidas",
  "nav.odoo": "Odoo",
  "nav.simulator": "Simulador",

  "page.coming": "Próximamente",
  "page.comingText": "Esta página aún no está hecha. Llegará en una próxima versión de la consola; la API del motor para ella ya funciona ({api}).",
  "page.notFound": "No existe esa página.",
  "page.backHome": "Ir a la bandeja de entrada",
};
